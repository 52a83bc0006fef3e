#!/usr/bin/env node
// Compares the counts of two run reports (out/run-report.json) for scripts/check-reproducible.sh:
// intake, quarantine, signals stored, cases, tasks and delivery, flattened and compared line by line.
// Timings (throughput, latency, wall time) differ by nature and are not compared.
// Two empty runs agree with each other and prove nothing, so each report must also hold every required
// count below as a number above zero: a missing or zero count fails, as does any difference.
// Usage: node scripts/lib/compare-reports.js run-1.json run-2.json   (exit 0: equal and non-empty; 1: not)
'use strict';
const fs = require('fs');

const compared = ['intake', 'quarantine', 'signalsStored', 'cases', 'tasks', 'delivery'];
const required = ['intake.accepted', 'signalsStored', 'cases.total', 'tasks.total', 'tasks.dispatched'];

const files = process.argv.slice(2);
if (files.length !== 2) {
  console.error('usage: compare-reports.js run-1.json run-2.json');
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
  for (const key of required) {
    if (typeof counts[key] !== 'number') problems.push(`run ${i + 1}: count '${key}' is missing`);
    else if (!(counts[key] > 0)) problems.push(`run ${i + 1}: count '${key}' is ${counts[key]}: an empty run proves nothing`);
  }
  const delivered = Object.entries(counts).filter(([k]) => k.startsWith('delivery.messagesByGemeente.')).reduce((sum, [, v]) => sum + v, 0);
  if (!(delivered > 0)) problems.push(`run ${i + 1}: no task message reached any gemeente queue (delivery.messagesByGemeente)`);
  return counts;
});

const [fa, fb] = reports;
const keys = [...new Set([...Object.keys(fa), ...Object.keys(fb)])].sort();
const differing = keys.filter(k => fa[k] !== fb[k]);
if (keys.length > 0) {
  const width = Math.max(...keys.map(k => k.length));
  console.log(`${'count'.padEnd(width)}  ${'run 1'.padStart(8)}  ${'run 2'.padStart(8)}`);
  for (const k of keys) console.log(`${k.padEnd(width)}  ${String(fa[k]).padStart(8)}  ${String(fb[k]).padStart(8)}${fa[k] !== fb[k] ? '  <- differs' : ''}`);
}
if (differing.length > 0) problems.push(`${differing.length} of ${keys.length} counts differ between the two runs`);
if (problems.length > 0) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
console.log(`all ${keys.length} counts identical, none of ${required.join(', ')} zero`);
