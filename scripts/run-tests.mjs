#!/usr/bin/env node
// Runs every compiled test file under dist/test with node's built-in test runner.
// Usage: node scripts/run-tests.mjs [substring filter ...]
//
// When PostgreSQL is installed, one private cluster serves the whole run (its socket
// directory goes to every test process in LETTERBOX_TEST_PG), and a full run (no filter)
// runs the protocol and interop suites a second time on it (LETTERBOX_TEST_BACKEND=postgres).
// The store contract suite runs on PostgreSQL in the first pass already.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = 'dist/test';
const filters = process.argv.slice(2);
function collect(dir, keep) {
  const files = [];
  (function walk(d) {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.test.js') && keep(p)) {
        // a compiled test whose source was deleted or renamed is stale: skip it
        if (existsSync(p.replace(/^dist\//, '').replace(/\.js$/, '.ts'))) files.push(p);
      }
    }
  })(dir);
  return files;
}
const files = collect(root, (p) => filters.length === 0 || filters.some((f) => p.includes(f)));
if (files.length === 0) {
  console.error(`no test files found under ${root}`);
  process.exit(1);
}

const { havePostgres, startCluster } = await import('../dist/test/helpers/pg-cluster.js');
let cluster = null;
const env = { ...process.env };
if (havePostgres() && !env.LETTERBOX_TEST_PG) {
  try {
    cluster = startCluster();
    env.LETTERBOX_TEST_PG = cluster.host;
  } catch (e) {
    console.error(`PostgreSQL tests will fail: the private cluster did not start: ${e.message}`);
  }
}
const stop = () => cluster?.stop();
process.on('exit', stop);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

const runPass = (list, extraEnv = {}) =>
  spawnSync(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=2', ...list], {
    stdio: 'inherit',
    env: { ...env, ...extraEnv },
  }).status ?? 1;

let status = runPass(files);
if (filters.length === 0 && env.LETTERBOX_TEST_PG && !env.LETTERBOX_TEST_BACKEND) {
  const again = collect(root, (p) => p.startsWith('dist/test/protocol/') || p.startsWith('dist/test/interop/'));
  console.log(`\n=== second pass: ${again.length} protocol and interop test files on PostgreSQL (LETTERBOX_TEST_BACKEND=postgres) ===\n`);
  status = runPass(again, { LETTERBOX_TEST_BACKEND: 'postgres' }) || status;
}
process.exit(status);
