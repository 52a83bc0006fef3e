#!/usr/bin/env bash
# Publishes the Functions app and zips it for zip deploy (Flex Consumption "one deploy", or
# `az functionapp deployment source config-zip`). Usage: scripts/package.sh [publish-dir] [zip-path]
# With a publish-dir that already exists, it only zips it. The zip keeps Unix file modes, so
# executables stay executable on Linux.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
publish="${1:-$root/artifacts/publish/functions}"
zip="${2:-$root/artifacts/vroegsignalering-functions.zip}"

if [[ ! -f "$publish/host.json" ]]; then
  dotnet publish "$root/functions/VroegSignalering.Functions.csproj" -c Release -o "$publish" --nologo -v quiet
fi
[[ -f "$publish/host.json" ]] || { echo "error: $publish has no host.json; is it a Functions publish folder?" >&2; exit 1; }

mkdir -p "$(dirname "$zip")"
rm -f "$zip"
python3 - "$publish" "$zip" <<'PY'
import os, sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
    for folder, dirs, files in os.walk(src):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(folder, name)
            arc = os.path.relpath(path, src)
            info = zipfile.ZipInfo.from_file(path, arc)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix: the high 16 bits of external_attr hold st_mode
            with open(path, "rb") as f:
                z.writestr(info, f.read())
PY
echo "$zip"
