#!/usr/bin/env bash
# The main job of VroegSignalering on one machine: a realistic month of signals, end to end.
# On a fresh machine it sets up what it needs (Azurite from package-lock.json, the app and the CLI
# from NuGet), starts Azurite in memory and the Functions app on the local host (the function classes
# in-process, their triggers from functions.metadata; there is no Functions host here) with the local
# demo creditors, generates a month of synthetic signals, posts them as the creditors (JSON, NDJSON
# and CSV), waits until every accepted signal is processed and every task dispatched to the
# local topic, lets the gemeenten's local teams work their tasks through the outcome API (contact
# attempts, help accepted or declined, results: the national funnel, seeded), and prints a summary.
# Reports: out/run-report.json and out/run-report.html; the DDAS delivery to CBS of gemeente 0363
# for the month (no personal data, with the teams' contactpogingen): out/ddas/ddas-0363.json.
#
# Options: --signals N     signals in the month (default 20000)
#          --seed S        generator seed (default 1); the same seed gives the same counts
#          --serve         only start Azurite and the app and serve until Ctrl-C (no data);
#                          prints the local creditor ids and their API keys, and the local operator's key
#          --url URL       where the app listens (default http://127.0.0.1:7071, or $VROEG_URL)
#          --keep-running  after the report, keep serving until Ctrl-C
#          --team-cases N  cases the local teams work after dispatch (default 0: every case; N > 0: a
#                          seeded sample of N, for a shorter run)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib/common.sh
source "$root/scripts/lib/common.sh"
# shellcheck source=scripts/lib/app.sh
source "$root/scripts/lib/app.sh"

url="${VROEG_URL:-http://127.0.0.1:7071}"
signals=20000
seed=1
serve=false
keep=false
team_cases=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --serve) serve=true; shift ;;
    --signals) [[ "${2:-}" =~ ^[0-9]+$ && "$2" -gt 0 ]] || die "--signals needs a positive number"; signals="$2"; shift 2 ;;
    --seed) [[ "${2:-}" =~ ^[0-9]+$ ]] || die "--seed needs a number"; seed="$2"; shift 2 ;;
    --url) url="${2:?--url needs an address}"; shift 2 ;;
    --keep-running) keep=true; shift ;;
    --team-cases) [[ "${2:-}" =~ ^[0-9]+$ ]] || die "--team-cases needs a number (0: all)"; team_cases="$2"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (try --help)" ;;
  esac
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
started=$(date +%s)
out="$root/out"
work="$out/run"
mkdir -p "$work"

cleanup() {
  app_stop
  azurite_stop
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

require_tools
ensure_node_tools
app_build
azurite_start "$work/azurite"
app_env

log "starting the Functions app (local host) on $url"
app_log="$work/app.log"
if [[ "$serve" == true ]]; then
  app_start "$url"
else
  : >"$app_log"
  app_start "$url" "$app_log"
fi
log "app healthy: $url/api/health"

print_creditors() {
  echo "Local creditors (config/local/creditors.json; local-only keys):" >&2
  node -e '
    const f = require(process.argv[1]);
    for (const c of f.creditors) console.error(`  ${c.id.padEnd(22)} ${c.partnerTypes.join(",").padEnd(10)} X-Api-Key: ${c.apiKeys[0]}`);
  ' "$root/config/local/creditors.json"
  echo "Try: curl -H 'X-Api-Key: <key>' -H 'Content-Type: application/json' -d @signal.json $url/api/v1/signals" >&2
  echo "Local operator (config/local/operators.json; local-only key): local-operator  X-Api-Key: $operator_key" >&2
  echo "Try: vroeg outbox retry --api $url --operator-key $operator_key --dry-run" >&2
}

if [[ "$serve" == true ]]; then
  print_creditors
  log "serving on $url (OpenAPI: $url/api/openapi/v1.json) - Ctrl-C stops"
  wait "$APP_PID"
  exit 0
fi

month="$out/month"
log "generating $signals synthetic signals (seed $seed)"
# The month ends today in the Netherlands, the calendar intake validates dates against.
month_end=$(TZ=Europe/Amsterdam date +%F)
vroeg generate --signals "$signals" --seed "$seed" --today "$month_end" --out "$month" >&2
log "posting them as the local creditors (JSON, NDJSON and CSV)"
vroeg post --dir "$month" --url "$url" --parallel 4 >&2
log "waiting for processing, triage and dispatch"
set +e
vroeg report --wait-only --timeout 3600
wait_rc=$?
set -e
report_rc=0
if [[ $wait_rc -eq 0 ]]; then
  # The gemeenten's teams (config/local/teams.json) work dispatched tasks through the outcome API: contact
  # attempts, help decisions and results drawn from the national funnel, the same for the same seed. Each
  # outcome is an HTTP request with a read and a transaction; --team-cases N works a seeded sample of N cases
  # for a shorter run.
  log "the local teams work their tasks through the outcome API (seed $seed, cases: ${team_cases/#0/all})"
  vroeg teams work --api "$url" --team-key "$(team_key '{gemeente}')" --seed "$seed" --max-cases "$team_cases" >&2 || report_rc=1
fi
log "reporting from storage"
set +e
# --api: the app's storage request tally (operator endpoint) for "Storage requests per accepted signal".
vroeg report --started "$started" --json "$out/run-report.json" --html "$out/run-report.html" \
  --api "$url" --operator-key "$operator_key"
rc=$?
set -e
[[ $rc -eq 0 && $wait_rc -eq 0 ]] || report_rc=1
# The gemeente's delivery to CBS falls out of the same storage: Amsterdam's DDAS file for the generated
# month (signal dates run from 29 days before its last day), without personal data. The period ends
# today in the Netherlands, the calendar cases are dated in, even if the run crossed midnight.
ddas_from=$(date -d "$month_end -29 days" +%F)
ddas_to=$(TZ=Europe/Amsterdam date +%F)
log "writing the DDAS delivery of gemeente 0363 for $ddas_from to $ddas_to"
vroeg ddas export --gemeente 0363 --from "$ddas_from" --to "$ddas_to" \
  --out "$out/ddas/ddas-0363.json" || report_rc=1
# The delivery must be what CBS accepts: VNG's v0.9 schema (embedded in the CLI).
vroeg ddas validate "$out/ddas/ddas-0363.json" >&2 || report_rc=1
log "run finished in $(( $(date +%s) - started )) s (app log: $app_log)"
if [[ "$keep" == true ]]; then
  print_creditors
  log "still serving on $url - Ctrl-C stops"
  wait "$APP_PID"
fi
exit "$report_rc"
