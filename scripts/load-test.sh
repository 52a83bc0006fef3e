#!/usr/bin/env bash
# A bounded load test on loopback: Azurite (in memory) and the Functions app on its local host, with the
# intake rate limit back at the production default (not the demo's 6000/min); several creditors post at that
# limit for a few minutes, mixing valid, invalid, duplicate and oversized requests (`vroeg load`). Then the
# intake queue drains and every row is accounted for: rows sent = accepted + rejected + duplicate + refused
# whole, and storage holds exactly the accepted rows (stored + quarantined). Prints one table; writes
# out/load/load-report.json. Exits non-zero on any 5xx, any request without an answer or any row unaccounted for.
#
# Options: --duration S   seconds of load (default 180, at most 900)
#          --creditors N  creditors posting at the same time (default 4)
#          --seed S       seed of the mix and the signals (default 1)
#          --url URL      where the app listens (default http://127.0.0.1:7093)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/common.sh
source "$root/scripts/lib/common.sh"
# shellcheck source=scripts/lib/app.sh
source "$root/scripts/lib/app.sh"

duration=180
creditors=4
seed=1
url="http://127.0.0.1:7093"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) [[ "${2:-}" =~ ^[0-9]+$ && "$2" -ge 1 && "$2" -le 900 ]] || die "--duration needs a number of seconds from 1 to 900"; duration="$2"; shift 2 ;;
    --creditors) [[ "${2:-}" =~ ^[0-9]+$ && "$2" -ge 1 ]] || die "--creditors needs a positive number"; creditors="$2"; shift 2 ;;
    --seed) [[ "${2:-}" =~ ^[0-9]+$ ]] || die "--seed needs a number"; seed="$2"; shift 2 ;;
    --url) url="${2:?--url needs an address}"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (try --help)" ;;
  esac
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
out="$root/out/load"
mkdir -p "$out"

cleanup() {
  app_stop
  azurite_stop
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The production defaults of the intake limits, read from the app's options class; appsettings.json must not
# override them (it would then be the production value), so refuse to guess if it does.
limits="$root/src/VroegSignalering.Core/Intake/IntakeLimits.cs"
default_of() {
  sed -n "s/.*public int $1 { get; set; } = \([0-9_]*\);.*/\1/p" "$limits" | tr -d _
}
per_minute=$(default_of RequestsPerMinute)
burst=$(default_of RequestBurst)
[[ "$per_minute" =~ ^[0-9]+$ && "$burst" =~ ^[0-9]+$ ]] || die "could not read the RequestsPerMinute/RequestBurst defaults from $limits"
if grep -q '"Intake"' "$root/functions/appsettings.json"; then
  die "functions/appsettings.json sets Intake limits; this script reads the defaults from IntakeLimits.cs only"
fi

require_tools
ensure_node_tools
app_build
azurite_start "$out/azurite"
app_env
# app_env sets the demo's 6000/min; the load test runs against the limit production enforces.
export Intake__RequestsPerMinute="$per_minute" Intake__RequestBurst="$burst"
log "intake limit: $per_minute requests per minute per creditor, bursts of $burst (IntakeLimits defaults)"

app_log="$out/app.log"
: >"$app_log"
log "starting the Functions app (local host) on $url"
app_start "$url" "$app_log"
log "app healthy (pid $APP_PID); loading it for $duration s as $creditors creditor(s), seed $seed"

# vroeg load reads the app's own settings from this environment (limits, storage, table names) and the app's
# peak memory (VmHWM) from /proc/$APP_PID/status once the intake queue has drained.
set +e
vroeg load --url "$url" --duration "$duration" --creditors "$creditors" --seed "$seed" \
  --app-pid "$APP_PID" --json "$out/load-report.json"
rc=$?
set -e
if ! kill -0 "$APP_PID" 2>/dev/null; then
  log "the app is no longer running: see $app_log"
  rc=1
fi
log "load test finished with exit code $rc (app log: $app_log)"
exit "$rc"
