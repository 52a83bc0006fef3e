#!/usr/bin/env bash
# Runs every test of VroegSignalering on this machine, setting up what it needs on a fresh one:
# restores and builds the solution, installs Azurite from package-lock.json (npm ci), starts it in
# memory on loopback ports the OS picks, installs Debian's Chromium when missing (the HTML report is
# rendered in it), publishes the Functions app (the publish-layout test reads it), runs every test
# project (Bicep build and lint included), then runs the month twice with one seed through ./run.sh and
# checks the two reports hold the same counts (scripts/check-reproducible.sh; one more test), runs a short
# crash test (scripts/crash-test.sh: the app and the poster SIGKILLed during a month, nothing lost or
# doubled; one more test), and stops Azurite on every exit path. Ends with "N passed, N failed, N skipped";
# exits non-zero on any failure.
#
# Options: -c|--configuration Debug|Release (default Release)
#          --filter EXPR       passed to dotnet test (e.g. --filter "FullyQualifiedName~Intake");
#                              a filtered run skips the reproducibility and crash checks
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib/common.sh
source "$root/scripts/lib/common.sh"

configuration=Release
filter=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -c|--configuration) configuration="$2"; shift 2 ;;
    --filter) filter=(--filter "$2"); shift 2 ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (try --help)" ;;
  esac
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
work="$root/out/test"
results="$work/results"
rm -rf "$results"
mkdir -p "$results"

cleanup() { azurite_stop; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

started=$(date +%s)
require_tools
ensure_node_tools
ensure_chromium

log "restoring and building ($configuration)"
dotnet build "$root/VroegSignalering.sln" -c "$configuration" --nologo -v quiet -clp:ErrorsOnly >&2 \
  || die "build failed"

log "publishing the Functions app"
export VROEG_PUBLISH_DIR="$root/artifacts/publish/functions"
rm -rf "$VROEG_PUBLISH_DIR"
dotnet publish "$root/functions/VroegSignalering.Functions.csproj" -c "$configuration" --no-build --nologo -v quiet \
  -o "$VROEG_PUBLISH_DIR" >&2 || die "publish failed"

azurite_start "$work/azurite"

log "running tests"
set +e
dotnet test "$root/VroegSignalering.sln" -c "$configuration" --no-build --nologo \
  --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results" "${filter[@]}" >&2
test_rc=$?
set -e

# The month twice with the same seed: ./run.sh --signals 2000 --seed 7 must give the same counts.
month_checks=0
month_failed=0
if [[ ${#filter[@]} -eq 0 ]]; then
  log "reproducibility: ./run.sh --signals 2000 --seed 7, twice (scripts/check-reproducible.sh)"
  month_checks=1
  if "$root/scripts/check-reproducible.sh" --signals 2000 --seed 7 > "$work/reproducible.log" 2>&1; then
    log "reproducibility: $(tail -1 "$work/reproducible.log")"
  else
    month_failed=1
    tail -30 "$work/reproducible.log" >&2
    log "reproducibility: FAILED (full output: $work/reproducible.log)"
  fi
fi

# The short crash test: SIGKILLs of the app and the poster during a month; nothing lost, doubled or different.
if [[ ${#filter[@]} -eq 0 ]]; then
  log "crash test: scripts/crash-test.sh --signals 600 --kills 5"
  month_checks=$((month_checks + 1))
  if "$root/scripts/crash-test.sh" --signals 600 --kills 5 > "$work/crash.log" 2>&1; then
    log "crash test: $(grep '^crash-test:' "$work/crash.log")"
  else
    month_failed=$((month_failed + 1))
    tail -30 "$work/crash.log" >&2
    log "crash test: FAILED (full output: $work/crash.log)"
  fi
fi

# Sum the counters of every project's TRX file.
read -r passed failed skipped < <(
  cat "$results"/*.trx 2>/dev/null | tr '\n' ' ' | grep -o '<Counters [^>]*>' | awk '
    { for (i = 1; i <= NF; i++) { split($i, kv, "="); gsub(/"|\/|>/, "", kv[2]); c[kv[1]] += kv[2] } }
    END { printf "%d %d %d\n", c["passed"], c["failed"] + c["error"] + c["timeout"] + c["aborted"], c["notExecuted"] + c["notRunnable"] }')
projects=$(find "$root/tests" -name '*.Tests.csproj' | wc -l)
trx=$(find "$results" -name '*.trx' | wc -l)
if [[ "$trx" -lt "$projects" ]]; then
  log "only $trx of $projects test projects reported results"
  failed=$((failed + projects - trx))
fi
passed=$((passed + month_checks - month_failed))
failed=$((failed + month_failed))
log "tests finished in $(( $(date +%s) - started )) s"
echo "$passed passed, $failed failed, $skipped skipped"
if [[ $test_rc -ne 0 || $failed -ne 0 ]]; then
  exit 1
fi
