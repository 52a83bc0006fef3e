#!/usr/bin/env bash
# Runs the month twice with the same seed and checks that every count in the two reports is the same:
# intake, quarantine, signals stored, cases, tasks (per priority, gemeente and team) and the task
# messages per gemeente queue. Timings (throughput, latency, wall time) differ by nature and are not compared.
#
# Usage: scripts/check-reproducible.sh [--signals N] [--seed S]   (default: 2000 signals, seed 7)
# Each run is ./run.sh on a free loopback port with its own Azurite; the reports are kept in
# out/reproducible/run-1.json and run-2.json. Exit code 0 when the counts are identical, 1 otherwise.
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

# Flatten the counts of both reports and compare them line by line.
node - "$dir/run-1.json" "$dir/run-2.json" <<'EOF'
const [a, b] = process.argv.slice(2).map(f => require(f));
const compared = ['intake', 'quarantine', 'signalsStored', 'cases', 'tasks', 'delivery'];
const flat = (o, prefix = '', out = {}) => {
  for (const [k, v] of Object.entries(o)) {
    if (v !== null && typeof v === 'object') flat(v, `${prefix}${k}.`, out); else out[`${prefix}${k}`] = v;
  }
  return out;
};
const pick = r => flat(Object.fromEntries(compared.map(k => [k, r[k]])));
const [fa, fb] = [pick(a), pick(b)];
const keys = [...new Set([...Object.keys(fa), ...Object.keys(fb)])].sort();
const differing = keys.filter(k => fa[k] !== fb[k]);
const width = Math.max(...keys.map(k => k.length));
console.log(`${'count'.padEnd(width)}  ${'run 1'.padStart(8)}  ${'run 2'.padStart(8)}`);
for (const k of keys) console.log(`${k.padEnd(width)}  ${String(fa[k]).padStart(8)}  ${String(fb[k]).padStart(8)}${fa[k] !== fb[k] ? '  <- differs' : ''}`);
if (differing.length > 0) {
  console.error(`${differing.length} of ${keys.length} counts differ between the two runs`);
  process.exit(1);
}
console.log(`all ${keys.length} counts identical`);
EOF
