#!/usr/bin/env node
// Compares the counts of two run reports (out/run-report.json) for scripts/check-reproducible.sh:
// intake, quarantine, signals stored, cases, tasks and delivery, flattened and compared line by line.
// The outcomes (the funnel the seeded teams of `vroeg teams work` produce, and the creditor feedback sent) are
// compared too: the same seed and the same tasks give the same outcomes. Overdue and escalated tasks (escalation)
// depend on the day the report ran and are not.
// Timings (throughput, latency, crisis latency, wall time) and storage request counts (storageRequests: retries,
// polling and timers make them vary) and the quarantine by age (quarantineAge: an age depends on when the report ran)
// differ by nature and are not compared: only the sections in `compared` are.
// Two empty runs agree with each other and prove nothing, so each report must also hold every required
// count below as a number above zero: a missing or zero count fails, as does any difference.
// Usage: node scripts/lib/compare-reports.js [--repost] run-1.json run-2.json   (exit 0: equal and non-empty; 1: not)
// --repost (scripts/crash-test.sh): run 2 posted rows more than once (a killed poster re-run from the start,
// a batch retried after the app died). Every row posted again is answered again, as a duplicate if it was
// accepted before and rejected again if it was invalid, so intake.requests, rows, rejected, rejectedByCode
// and duplicates may be higher in run 2, but only when the extra rows are exactly the extra rejected plus
// the extra duplicates and no count is lower; intake.accepted and everything else must still be equal.
'use strict';
const fs = require('fs');

const compared = ['intake', 'quarantine', 'signalsStored', 'cases', 'tasks', 'delivery', 'outcomes'];
const required = ['intake.accepted', 'signalsStored', 'cases.total', 'tasks.total', 'tasks.dispatched'];
// ./run.sh lets the teams work every task, so its reports must show cases attempted. The crash test
// (--repost) reports before any team works, where the funnel is empty in both runs and still compared.
const requiredUnlessRepost = ['outcomes.total.attempted'];

const args = process.argv.slice(2);
const repost = args.includes('--repost');
const files = args.filter(a => a !== '--repost');
if (files.length !== 2) {
  console.error('usage: compare-reports.js [--repost] run-1.json run-2.json');
  process.exit(2);
}

const flat = (o, prefix = '', out = {}) => {
  for (const [k, v] of Object.entries(o)) {
    if (v !== null && typeof v === 'object') flat(v, `${prefix}${k}.`, out); else out[`${prefix}${k}`] = v;
  }
  return out;
};

const problems = [];
const reports = files.map((file, i) => {
  let report;
  try {
    report = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    problems.push(`run ${i + 1}: ${file} is not a readable JSON report (${e.message})`);
    return {};
  }
  const counts = flat(Object.fromEntries(compared.map(k => [k, report[k]])));
  for (const section of compared) {
    if (report[section] === undefined || report[section] === null) problems.push(`run ${i + 1}: the report has no '${section}'`);
  }
  for (const key of repost ? required : [...required, ...requiredUnlessRepost]) {
    if (typeof counts[key] !== 'number') problems.push(`run ${i + 1}: count '${key}' is missing`);
    else if (!(counts[key] > 0)) problems.push(`run ${i + 1}: count '${key}' is ${counts[key]}: an empty run proves nothing`);
  }
  const delivered = Object.entries(counts).filter(([k]) => k.startsWith('delivery.messagesByGemeente.')).reduce((sum, [, v]) => sum + v, 0);
  if (!(delivered > 0)) problems.push(`run ${i + 1}: no task message reached any gemeente on the topic (delivery.messagesByGemeente)`);
  return counts;
});

const [fa, fb] = reports;
const keys = [...new Set([...Object.keys(fa), ...Object.keys(fb)])].sort();
// Counts a re-post legitimately raises, and whether run 2's extra rows are exactly its extra answers.
const reposted = k => ['intake.requests', 'intake.rows', 'intake.rejected', 'intake.duplicates'].includes(k) || k.startsWith('intake.rejectedByCode.');
const extra = k => (fb[k] ?? 0) - (fa[k] ?? 0);
const explained = repost
  && keys.filter(reposted).every(k => extra(k) >= 0)
  && extra('intake.rows') === extra('intake.rejected') + extra('intake.duplicates')
  && keys.filter(k => k.startsWith('intake.rejectedByCode.')).reduce((sum, k) => sum + extra(k), 0) === extra('intake.rejected');
const isExplained = k => explained && reposted(k);
if (repost) {
  const line = `re-post: ${extra('intake.rows')} extra rows = ${extra('intake.rejected')} extra rejected + ${extra('intake.duplicates')} extra duplicates`;
  if (explained) console.log(`${line} (explained)`); else problems.push(`${line}: does not add up, or a count is lower`);
}
const differing = keys.filter(k => fa[k] !== fb[k] && !isExplained(k));
if (keys.length > 0) {
  const width = Math.max(...keys.map(k => k.length));
  console.log(`${'count'.padEnd(width)}  ${'run 1'.padStart(8)}  ${'run 2'.padStart(8)}`);
  for (const k of keys) console.log(`${k.padEnd(width)}  ${String(fa[k]).padStart(8)}  ${String(fb[k]).padStart(8)}${fa[k] === fb[k] ? '' : isExplained(k) ? '  <- re-posted' : '  <- differs'}`);
}
if (differing.length > 0) problems.push(`${differing.length} of ${keys.length} counts differ between the two runs`);
if (problems.length > 0) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
console.log(repost ? `all ${keys.length} counts equal or raised only by the re-post, none of ${required.join(', ')} zero` : `all ${keys.length} counts identical, none of ${required.join(', ')} zero`);
