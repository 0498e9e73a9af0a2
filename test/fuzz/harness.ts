/**
 * The fuzz harness: property-based targets (fast-check) for the parsers that meet hostile
 * input. Each target is ONE file in ./targets exporting `default defineTarget({...})`; the
 * harness finds them by listing that folder, so adding a target (e.g. the Sieve parser)
 * means adding one file and nothing else.
 *
 * A target gives an input generator (grammar-aware pieces and byte-level mutations of real
 * seeds, see ./mutate.ts), a `check` that feeds one input to the code under test and
 * asserts what must hold (no exception other than the documented rejection, invariants of
 * the result), optional setup/teardown for targets that need a server, and `regressions`:
 * inputs that once failed, replayed on every run.
 *
 *   npm test       → fuzz.test.ts: every target, a fixed seed, `quickRuns` inputs (seconds)
 *   npm run fuzz   → run.ts: every (or one) target for a time budget with fresh seeds;
 *                    a failure prints the seed, the path and the shrunk input to paste into
 *                    the target's `regressions`, and exits 1.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import fc from 'fast-check';

export interface FuzzTarget<T = unknown, E = unknown> {
  name: string;
  input: fc.Arbitrary<T>;
  /** throws (assert) when the input shows a bug */
  check(input: T, env: E): void | Promise<void>;
  setup?(): Promise<E>;
  teardown?(env: E): Promise<void>;
  /** inputs that once failed: checked first on every run */
  regressions?: T[];
  /** inputs per target inside `npm test` (default 200) */
  quickRuns?: number;
}

export function defineTarget<T, E = undefined>(t: FuzzTarget<T, E>): FuzzTarget<T, E> {
  return t;
}

/** every target file in ./targets (compiled .js, or .ts under tsx), sorted by name */
export async function loadTargets(only?: string[]): Promise<FuzzTarget[]> {
  const here = dirname(fileURLToPath(import.meta.url));
  const dir = join(here, 'targets');
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const out: FuzzTarget[] = [];
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith(ext) || f.endsWith('.d.ts')) continue;
    const mod = (await import(new URL(`./targets/${f}`, import.meta.url).href)) as { default?: FuzzTarget };
    if (!mod.default) throw new Error(`fuzz target ${f} has no default export (use defineTarget)`);
    if (!only || only.includes(mod.default.name)) out.push(mod.default);
  }
  return out;
}

export interface RunResult {
  runs: number;
  failure: null | { seed: number; path: string; counterexample: string; error: string };
}

/** runs the regressions, then `numRuns` generated inputs from `seed` */
export async function runTarget(t: FuzzTarget, env: unknown, opts: { seed: number; numRuns: number; timeoutMs?: number }): Promise<RunResult> {
  for (const [i, r] of (t.regressions ?? []).entries()) {
    try {
      await t.check(r, env);
    } catch (e) {
      return { runs: i + 1, failure: { seed: -1, path: `regression ${i}`, counterexample: fc.stringify(r), error: String((e as Error)?.stack ?? e) } };
    }
  }
  const details = await fc.check(
    fc.asyncProperty(t.input, async (input) => {
      await t.check(input, env);
    }),
    { seed: opts.seed, numRuns: opts.numRuns, interruptAfterTimeLimit: opts.timeoutMs, markInterruptAsFailure: false },
  );
  if (!details.failed) return { runs: details.numRuns, failure: null };
  return {
    runs: details.numRuns,
    failure: {
      seed: details.seed,
      path: details.counterexamplePath ?? '',
      counterexample: fc.stringify(details.counterexample?.[0]),
      error: String((details.errorInstance as Error)?.stack ?? details.errorInstance),
    },
  };
}
