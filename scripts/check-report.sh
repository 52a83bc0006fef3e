#!/usr/bin/env bash
# Renders an HTML report in headless Chromium and fails on anything that went wrong: a non-zero exit,
# a console error, no SVG chart in the rendered page, or an empty screenshot.
# Usage: scripts/check-report.sh [out/run-report.html] [screenshot.png]
set -euo pipefail
html="$(realpath "${1:-out/run-report.html}")"
png="${2:-${html%.html}.png}"
[[ -f "$html" ]] || { echo "error: $html does not exist" >&2; exit 1; }
browser="$(command -v chromium || command -v chromium-browser || true)"
[[ -n "$browser" ]] || { echo "error: Chromium is not installed (apt-get install chromium)" >&2; exit 1; }

profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
# Flags as the machine notes advise: no sandbox as root, no background networking on a closed network.
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --user-data-dir="$profile" --enable-logging=stderr --v=0)

dom="$("$browser" "${flags[@]}" --dump-dom "file://$html" 2>"$profile/dom.log")" \
  || { cat "$profile/dom.log" >&2; echo "error: Chromium could not render $html" >&2; exit 1; }
"$browser" "${flags[@]}" --window-size=1280,2000 --screenshot="$png" "file://$html" 2>"$profile/shot.log" \
  || { cat "$profile/shot.log" >&2; echo "error: Chromium could not take a screenshot" >&2; exit 1; }

if grep -hE "CONSOLE|Uncaught|Failed to load resource" "$profile"/*.log >&2; then
  echo "error: the page logged errors while rendering" >&2
  exit 1
fi
grep -q "<svg" <<<"$dom" || { echo "error: the rendered page has no chart" >&2; exit 1; }
[[ -s "$png" ]] || { echo "error: the screenshot is empty" >&2; exit 1; }
echo "ok: $html renders in headless Chromium ($(wc -c <"$png") byte screenshot: $png)"
