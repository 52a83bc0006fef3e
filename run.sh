#!/usr/bin/env bash
# The main job of VroegSignalering on one machine. Sets up what it needs on a fresh machine
# (Azurite from package-lock.json, the app from NuGet), starts Azurite in memory and the Functions
# app in standalone mode, and serves until Ctrl-C.
#
# Options: --serve            start Azurite and the app and serve until Ctrl-C
#          --url URL          where the app listens (default http://127.0.0.1:7071, or $VROEG_URL)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib/common.sh
source "$root/scripts/lib/common.sh"

url="${VROEG_URL:-http://127.0.0.1:7071}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --serve) shift ;;
    --url) url="$2"; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (try --help)" ;;
  esac
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
work="$root/out/run"
app_dir="$root/artifacts/run/functions"
APP_PID=""
cleanup() {
  if [[ -n "$APP_PID" ]] && kill -0 "$APP_PID" 2>/dev/null; then
    kill "$APP_PID" 2>/dev/null || true
    wait "$APP_PID" 2>/dev/null || true
    log "app stopped"
  fi
  azurite_stop
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

require_tools
ensure_node_tools
log "building the Functions app"
dotnet publish "$root/functions/VroegSignalering.Functions.csproj" -c Release -o "$app_dir" --nologo -v quiet -clp:ErrorsOnly >&2 \
  || die "build failed"

azurite_start "$work/azurite"

log "starting the Functions app (standalone) on $url"
Standalone__Url="$url" Standalone__Enabled=true ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}" \
  dotnet "$app_dir/VroegSignalering.Functions.dll" &
APP_PID=$!

for _ in $(seq 1 150); do
  if curl -fsS "$url/api/health" >/dev/null 2>&1; then break; fi
  kill -0 "$APP_PID" 2>/dev/null || die "the app exited during start"
  sleep 0.2
done
curl -fsS "$url/api/health" >&2 || die "the app did not become healthy at $url/api/health"
echo >&2
log "serving on $url  (GET $url/api/health)  - Ctrl-C stops"
wait "$APP_PID"
