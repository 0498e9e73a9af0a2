/**
 * The short, seeded fuzz run inside `npm test`: every target in ./targets, its regressions
 * and `quickRuns` generated inputs from a fixed seed (so a failure here reproduces exactly).
 * LETTERBOX_FUZZ_SEED changes the seed; `npm run fuzz` runs longer with fresh seeds.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadTargets, runTarget } from './harness.js';

const SEED = Number(process.env.LETTERBOX_FUZZ_SEED ?? 20261201);
const targets = await loadTargets();

describe('fuzz targets (seeded, bounded)', () => {
  for (const t of targets) {
    describe(t.name, () => {
      let env: unknown;
      before(async () => {
        env = t.setup ? await t.setup() : undefined;
      });
      after(async () => {
        if (t.teardown) await t.teardown(env);
      });
      it(`${t.quickRuns ?? 200} inputs and ${t.regressions?.length ?? 0} regressions`, async () => {
        const r = await runTarget(t, env, { seed: SEED, numRuns: t.quickRuns ?? 200 });
        assert.equal(r.failure, null, r.failure ? `seed ${r.failure.seed} path ${r.failure.path}\ninput: ${r.failure.counterexample}\n${r.failure.error}` : '');
      });
    });
  }
});
