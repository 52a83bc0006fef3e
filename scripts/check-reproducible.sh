#!/usr/bin/env bash
# Runs the month twice with the same seed and checks that every count in the two reports is the same:
# intake, quarantine, signals stored, cases, tasks (per priority, gemeente and team) and the task
# messages per gemeente on the local topic. Timings (throughput, latency, wall time) differ by nature and are not compared.
# Both runs use the production setting of the crisis fast path (on), as ./run.sh does.
#
# Usage: scripts/check-reproducible.sh [--signals N] [--seed S]   (default: 2000 signals, seed 7)
# Each run is ./run.sh on a free loopback port with its own Azurite; the reports are kept in
# out/reproducible/run-1.json and run-2.json. Exit code 0 when the counts are identical and neither run is
# empty (no signals, cases or tasks, or a count missing), 1 otherwise.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/common.sh
source "$root/scripts/lib/common.sh"

signals=2000
seed=7
while [[ $# -gt 0 ]]; do
  case "$1" in
    --signals) [[ "${2:-}" =~ ^[0-9]+$ && "$2" -gt 0 ]] || die "--signals needs a positive number"; signals="$2"; shift 2 ;;
    --seed) [[ "${2:-}" =~ ^[0-9]+$ ]] || die "--seed needs a number"; seed="$2"; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (try --help)" ;;
  esac
done

dir="$root/out/reproducible"
rm -rf "$dir"
mkdir -p "$dir"
for run in 1 2; do
  port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});')
  log "run $run of 2: ./run.sh --signals $signals --seed $seed on port $port (log: $dir/run-$run.log)"
  if ! "$root/run.sh" --signals "$signals" --seed "$seed" --url "http://127.0.0.1:$port" >"$dir/run-$run.log" 2>&1; then
    tail -20 "$dir/run-$run.log" >&2
    die "run $run failed"
  fi
  cp "$root/out/run-report.json" "$dir/run-$run.json"
done

# Same counts in both, and neither run empty (two empty runs would agree): scripts/lib/compare-reports.js.
node "$root/scripts/lib/compare-reports.js" "$dir/run-1.json" "$dir/run-2.json"
