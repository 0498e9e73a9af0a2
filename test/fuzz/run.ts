/**
 * `npm run fuzz [-- --time <seconds per target>] [--target <name>...] [--seed <n>]`: the
 * longer campaign. Each target runs round after round, each round from a fresh seed, until
 * its time is up. On a failure it prints what reproduces it (seed, path) and the shrunk
 * input, to be added to the target's `regressions` once fixed, and exits 1.
 */
import { randomInt } from 'node:crypto';
import { loadTargets, runTarget } from './harness.js';

function arg(name: string): string[] {
  const out: string[] = [];
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) if (argv[i] === `--${name}` && argv[i + 1] !== undefined) out.push(argv[++i]!);
  return out;
}

const seconds = Number(arg('time')[0] ?? 60);
const fixedSeed = arg('seed')[0];
const only = arg('target');
const targets = await loadTargets(only.length ? only : undefined);
if (targets.length === 0) {
  console.error(`no fuzz target named ${only.join(', ')}`);
  process.exit(2);
}
let failed = false;
for (const t of targets) {
  const env = t.setup ? await t.setup() : undefined;
  const end = Date.now() + seconds * 1000;
  let runs = 0;
  let rounds = 0;
  try {
    while (Date.now() < end) {
      const seed = fixedSeed !== undefined ? Number(fixedSeed) : randomInt(2 ** 31);
      const r = await runTarget(t, env, { seed, numRuns: 1_000_000, timeoutMs: Math.min(end - Date.now(), 20_000) });
      runs += r.runs;
      rounds++;
      if (r.failure) {
        failed = true;
        console.log(`FAIL ${t.name}: seed ${r.failure.seed}, path "${r.failure.path}"`);
        console.log(`  input: ${r.failure.counterexample}`);
        console.log(`  ${r.failure.error.split('\n').slice(0, 8).join('\n  ')}`);
        console.log(`  reproduce: npm run fuzz -- --target ${t.name} --seed ${r.failure.seed}`);
        break;
      }
      if (fixedSeed !== undefined) break;
    }
  } finally {
    if (t.teardown) await t.teardown(env);
  }
  console.log(`${t.name}: ${runs} inputs in ${rounds} rounds${failed ? '' : ', no failure'}`);
}
process.exit(failed ? 1 : 0);
