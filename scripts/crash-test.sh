#!/usr/bin/env bash
# Crash test of the real process: a month of signals with a seed, during which the Functions app (on its
# local host) is killed with SIGKILL at seeded-random moments over posting, processing, triage and dispatch
# and restarted each time, and the poster (vroeg post) is killed mid-post and re-run from the start.
# One Azurite keeps running through every kill. Afterwards `vroeg verify` checks from storage and the local
# topic alone that every accepted signal is stored or quarantined exactly once, every case revision has
# exactly one task and every task is on its gemeente's subscription exactly once (any second copy is a
# double); and every count must match a
# reference run of the same seed that was never killed (scripts/lib/compare-reports.js --repost).
#
# Options: --signals N   signals in the month (default 5000)
#          --seed S      generator seed; also seeds the kill moments (default 1)
#          --kills K     SIGKILLs of the app, at least 1 (default 20); the poster is killed once more
#          -h|--help
# Prints one line of figures ("crash-test: kills ...") and exits non-zero on any loss, double or
# difference. Work files, logs and both runs' reports: out/crash/.
set -euo pipefail
# ASP.NET Core's request log ("Request finished", category Microsoft.AspNetCore.Hosting.Diagnostics, which
# the app's appsettings.json keeps at Warning) shows when the app has answered a batch, so the poster is
# killed after some answers and before the last. A category with dots cannot be exported from bash: the
# script runs itself again under env with it set.
if [[ -z "${VROEG_CRASH_TEST_ENV:-}" ]]; then
  exec env VROEG_CRASH_TEST_ENV=1 'Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics=Information' "$0" "$@"
fi
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/common.sh
source "$root/scripts/lib/common.sh"
# shellcheck source=lib/app.sh
source "$root/scripts/lib/app.sh"

signals=5000
seed=1
kills=20
while [[ $# -gt 0 ]]; do
  case "$1" in
    --signals) [[ "${2:-}" =~ ^[0-9]+$ && "$2" -gt 0 ]] || die "--signals needs a positive number"; signals="$2"; shift 2 ;;
    --seed) [[ "${2:-}" =~ ^[0-9]+$ ]] || die "--seed needs a number"; seed="$2"; shift 2 ;;
    --kills) [[ "${2:-}" =~ ^[0-9]+$ && "$2" -ge 1 ]] || die "--kills needs a number of at least 1"; kills="$2"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (try --help)" ;;
  esac
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
work="$root/out/crash"
rm -rf "$work"
mkdir -p "$work"
POSTER_PID=""
POSTER_BASE=0

cleanup() {
  if [[ -n "$POSTER_PID" ]] && kill -0 "$POSTER_PID" 2>/dev/null; then kill "$POSTER_PID" 2>/dev/null || true; wait "$POSTER_PID" 2>/dev/null || true; fi
  app_stop
  azurite_stop
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

require_tools
ensure_node_tools
app_build

# The local host leases each queue message it receives for LocalHost:MessageLease (10 minutes by default,
# as functionTimeout). A SIGKILL settles nothing, so the messages in flight come back only when their lease
# ends: 10 minutes per kill. 45 s still exceeds the slowest message by a wide margin: a send is one table
# transaction per task (LocalTopicTransport) and a signals chunk is processed in a few seconds; a lease shorter than the work would hand a message still being processed to a second worker.
export LocalHost__MessageLease=00:00:45

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'; }

# The poster as its own process (exec: the PID is dotnet itself, so SIGKILL hits the poster, not a
# subshell). More retries than run.sh's default: while the app restarts, connections are refused for seconds.
# Batches of 250 rows (both runs alike), so a month is several requests per creditor and a kill can fall
# between answered and unanswered batches.
# Optional 4th and 5th arguments: parallel requests (default 4) and rows per request (default 250).
start_poster() {
  local url="$1" receipts="$2" log="$3" parallel="${4:-4}" batch="${5:-250}"
  POSTER_BASE=$(answered_posts "$app_log")
  (exec dotnet "$CLI_DIR/vroeg.dll" post --dir "$month" --url "$url" --parallel "$parallel" --batch "$batch" --retries 50 --receipts "$receipts" >>"$log" 2>&1) &
  POSTER_PID=$!
}

# The app's answers to POST /api/v1/signals, from its request log (ASP.NET Core's "Request finished" lines).
answered_posts() { grep -ac 'Request finished .*POST .*/api/v1/signals.* - 20[0-9]' "$1" || true; }

# True while the poster runs and the app has answered at least one of its batches since it started.
poster_midway() {
  kill -0 "$POSTER_PID" 2>/dev/null && [[ $(answered_posts "$1") -gt $POSTER_BASE ]]
}

kill_poster() {
  [[ "$(cat "/proc/$POSTER_PID/comm" 2>/dev/null)" == dotnet ]] || die "pid $POSTER_PID is not the poster's dotnet process"
  kill -9 "$POSTER_PID"
  wait "$POSTER_PID" 2>/dev/null || true
  poster_kills=$((poster_kills + 1))
  log "$1: SIGKILL poster at +$(($2 / 1000)) s (mid-post); posting the month again from the start"
  start_poster "$url" "$work/$1-receipts-$poster_kills.json" "$post_log"
}

# True when the local topic holds a task for Amsterdam (0363, the largest gemeente of the month): dispatch runs.
tasks_in_topic() {
  [[ $(vroeg tasks tail --gemeente 0363 --max 1 2>/dev/null | wc -l) -ge 2 ]]
}

kill_app() {
  [[ "$(cat "/proc/$APP_PID/comm" 2>/dev/null)" == dotnet ]] || die "pid $APP_PID is not the app's dotnet process"
  kill -9 "$APP_PID"
  wait "$APP_PID" 2>/dev/null || true
  APP_PID=""
}

# Messages parked in a poison queue (after maxDequeueCount receives, which kills can cause) are not lost.
# The script re-drives them as an operator would (vroeg poison redrive): processing is idempotent, and an
# intake chunk left in poison would otherwise never be processed, so the run could never settle.
poison_count() {
  vroeg poison list --queue "$1" 2>&1 >/dev/null | sed -n 's/^\([0-9]*\) message(s) in .*/\1/p' | tail -1
}
redrive_poison() {
  local q n total=0
  for q in signals-intake dispatch; do
    n=$(poison_count "$q"); n=${n:-0}
    if [[ "$n" -gt 0 ]]; then
      log "re-driving $n poison message(s) of $q (vroeg poison redrive)"
      vroeg poison redrive --queue "$q" >&2
    fi
    total=$((total + n))
  done
  echo "$total"
}

month="$work/month"
log "generating $signals synthetic signals (seed $seed)"
month_end=$(TZ=Europe/Amsterdam date +%F)
vroeg generate --signals "$signals" --seed "$seed" --today "$month_end" --out "$month" >"$work/generate.log" 2>&1 || die "vroeg generate failed ($work/generate.log)"

# One run of the month on its own Azurite: posting, processing, triage and dispatch, with KILLS SIGKILLs of
# the app (0: the reference). Writes $work/NAME-report.json and NAME-verify.json.
run_month() {
  local name="$1" run_kills="$2"
  local url app_log="$work/$name-app.log" post_log="$work/$name-post.log"
  azurite_start "$work/$name-azurite"
  # The app's port is chosen once Azurite holds its own (port 0: the OS picks), so the two cannot collide.
  url="http://127.0.0.1:$(free_port)"
  app_env
  : >"$app_log"; : >"$post_log"
  app_start "$url" "$app_log"
  local started
  started=$(date +%s)
  log "$name: app up on $url; posting the month"
  start_poster "$url" "$work/$name-receipts.json" "$post_log"

  if [[ "$run_kills" -gt 0 ]]; then
    # Kill moments, seeded. The first half of the app kills (at least one) come at gaps spread over the
    # reference's length, the first inside its posting time (30-80 % of it), so they land in posting and
    # processing. The rest wait until the first task is in the local topic and then come 1.5-5 s after each
    # restart, so they land while tasks are being sent: a kill inside a send is what doubled tasks before the
    # topic was one table (docs/adr/0008). Each kill is logged with the phase it fell in. The poster is killed
    # at its own seeded moment (10-60 % of the posting time), once the app has answered one of its batches.
    RANDOM=$seed
    local span_ms=$(( (ref_seconds > 10 ? ref_seconds : 10) * 1000 )) poster_killed=false poster_kill_at first_ms
    first_ms=$(( ref_post_ms * (30 + RANDOM % 50) / 100 ))
    poster_kill_at=$(( ref_post_ms * (10 + RANDOM % 50) / 100 ))
    local i gap_ms t0 now phase until early=$(( (run_kills + 1) / 2 )) dispatching=false
    t0=$(date +%s%3N)
    maybe_kill_poster() {
      now=$(( $(date +%s%3N) - t0 ))
      if [[ "$poster_killed" == false && $now -ge $poster_kill_at ]] && poster_midway "$app_log"; then
        kill_poster "$name" "$now"
        poster_killed=true
      fi
    }
    for i in $(seq 1 "$run_kills"); do
      if [[ $i -eq 1 ]]; then
        gap_ms=$first_ms
      elif [[ $i -le $early ]]; then
        gap_ms=$(( (span_ms - first_ms) * (50 + RANDOM % 100) / 100 / run_kills ))
      else
        if [[ "$dispatching" == false ]]; then
          log "$name: waiting for the first task in the topic before the remaining $(( run_kills - i + 1 )) kills"
          local waited=0
          until tasks_in_topic; do
            maybe_kill_poster
            sleep 1
            waited=$((waited + 1))
            [[ $waited -lt 1800 ]] || die "$name: no task reached the topic within 30 minutes"
          done
          dispatching=true
        fi
        gap_ms=$(( 1500 + RANDOM % 3500 ))
      fi
      until=$(( $(date +%s%3N) + gap_ms ))
      while [[ $(date +%s%3N) -lt $until ]]; do
        maybe_kill_poster
        sleep 0.05
      done
      if kill -0 "$POSTER_PID" 2>/dev/null; then phase=posting; elif [[ "$dispatching" == true ]]; then phase=dispatching; else phase=processing; fi
      kill_app
      app_kills=$((app_kills + 1))
      [[ "$phase" != dispatching ]] || dispatch_kills=$((dispatch_kills + 1))
      log "$name: SIGKILL app $i/$run_kills at +$(( ($(date +%s%3N) - t0) / 1000 )) s ($phase); restarting"
      app_start "$url" "$app_log"
    done
    if [[ "$poster_killed" == false ]]; then
      # Posting ended before the poster's moment: post the month again, one file at a time so the kill
      # falls between answers, kill that poster mid-post, and post again from the start.
      # A re-post of rows already accepted is answered fast: small batches, one at a time, and a few tries, so
      # the kill still falls between two answers.
      log "$name: posting ended before the poster's kill moment; posting again to kill it mid-post"
      wait "$POSTER_PID" || die "$name: vroeg post failed ($post_log)"
      local try
      for try in 1 2 3 4 5; do
        start_poster "$url" "$work/$name-receipts-again-$try.json" "$post_log" 1 25
        until poster_midway "$app_log" || ! kill -0 "$POSTER_PID" 2>/dev/null; do
          sleep 0.02
        done
        if poster_midway "$app_log"; then
          kill_poster "$name" $(( $(date +%s%3N) - t0 ))
          break
        fi
        wait "$POSTER_PID" || die "$name: vroeg post failed ($post_log)"
        [[ "$try" -lt 5 ]] || die "the re-post ended before it could be killed mid-post (5 tries)"
      done
    fi
  fi

  wait "$POSTER_PID" || die "$name: vroeg post failed ($post_log)"
  POSTER_PID=""
  local post_done=$(( $(date +%s%3N) ))
  [[ "$run_kills" -gt 0 ]] || ref_post_ms=$(( post_done - started * 1000 ))
  [[ "$run_kills" -eq 0 ]] || parked=$(redrive_poison)
  log "$name: posting done; waiting for processing, triage and dispatch"
  vroeg report --wait --timeout 1800 --json "$work/$name-report.json" --html "$work/$name-report.html" >"$work/$name-report.txt" \
    || { tail -5 "$work/$name-report.txt" >&2; die "$name: the pipeline did not settle or a task failed"; }
  if [[ "$run_kills" -gt 0 ]]; then
    # Poison that appeared while settling (from the last kills' leases) is re-driven too, then settled again.
    local late
    late=$(redrive_poison)
    if [[ "$late" -gt 0 ]]; then
      parked=$((parked + late))
      vroeg report --wait --timeout 1800 --json "$work/$name-report.json" --html "$work/$name-report.html" >"$work/$name-report.txt" \
        || die "$name: the pipeline did not settle after the re-drive"
    fi
  fi
  [[ "$run_kills" -gt 0 ]] || ref_seconds=$(( $(date +%s) - started ))
  log "$name: settled after $(( $(date +%s) - started )) s; verifying storage and the local topic"
  set +e
  vroeg verify --json "$work/$name-verify.json" >"$work/$name-verify.txt" 2>&1
  local rc=$?
  set -e
  cat "$work/$name-verify.txt" >&2
  app_stop
  azurite_stop
  return $rc
}

app_kills=0
dispatch_kills=0
poster_kills=0
parked=0
ref_seconds=0
ref_post_ms=0
reference_ok=true
run_month reference 0 || reference_ok=false
log "reference: ${ref_seconds} s, posting $((ref_post_ms / 1000)) s"
killed_ok=true
run_month killed "$kills" || killed_ok=false

log "comparing the killed run's counts with the reference's"
# The report counts raw messages per gemeente on the local topic: any second copy of a task differs.
set +e
node "$root/scripts/lib/compare-reports.js" --repost "$work/reference-report.json" "$work/killed-report.json" >"$work/compare.txt" 2>&1
compare_rc=$?
set -e
cat "$work/compare.txt" >&2

# The verifier's own figures must match too (accepted, stored, quarantined, cases, tasks, task messages).
line=$(node -e '
  const [ref, got] = process.argv.slice(1).map(f => require(f));
  const keys = ["accepted", "stored", "quarantined", "cases", "tasks", "taskMessages"];
  const val = (o, k) => o[k];
  const differ = keys.filter(k => val(ref, k) !== val(got, k));
  for (const k of differ) console.error(`verify: ${k} ${val(got, k)} (reference ${val(ref, k)})`);
  console.log(`signals ${got.accepted} stored ${got.stored} quarantined ${got.quarantined}, tasks ${got.tasks}, lost ${got.guarantees.reduce((s, g) => s + g.lost, 0)}, doubled ${got.guarantees.reduce((s, g) => s + g.doubled, 0)} ${differ.length}`);
' "$work/reference-verify.json" "$work/killed-verify.json")
figures="${line% *}"
verify_differ="${line##* }"
report_differ=$(sed -n 's/^\([0-9]*\) of [0-9]* counts differ.*/\1/p' "$work/compare.txt" | tail -1)
differing=$(( ${report_differ:-0} + verify_differ ))
# A re-post whose extra rows do not add up to extra answers fails the comparison without a differing count.
[[ "$compare_rc" -eq 0 || "$differing" -gt 0 ]] || differing=1
echo "crash-test: kills $((app_kills + poster_kills)) (app $app_kills, $dispatch_kills of them after dispatch began; poster $poster_kills), $figures, poison $parked (re-driven), differing counts $differing"
ok=true
[[ "$reference_ok" == true ]] || { log "the reference run does not verify ($work/reference-verify.txt)"; ok=false; }
[[ "$killed_ok" == true ]] || { log "the killed run lost or doubled something ($work/killed-verify.txt)"; ok=false; }
[[ "$compare_rc" -eq 0 && "$verify_differ" -eq 0 ]] || { log "counts differ from the reference run ($work/compare.txt)"; ok=false; }
[[ "$ok" == true ]]
