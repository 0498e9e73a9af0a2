/**
 * Where letterbox's CPU time went during each bench step: in a separate rerun (never the
 * pass whose figures are reported) `letterbox serve` runs with Node's sampling profiler
 * (--cpu-prof, inherited by every worker), and the samples that fall inside a step's time
 * window (both clocks are CLOCK_MONOTONIC) are summed per function (self time). The run
 * prints this for every step with a figure still behind the peer.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  startTime: number; // µs
  samples: number[];
  timeDeltas: number[]; // µs
}

export interface StepWindow {
  step: string;
  /** process.hrtime.bigint() at the start and end of the step */
  from: bigint;
  to: bigint;
}

export interface ProfileSummary {
  totalMs: number;
  hot: HotFunction[];
}

export interface HotFunction {
  fn: string;
  ms: number;
  share: number;
}

/** reads the profiles written into `dir` (one per process: `serve --workers` writes several) and sums self time per function inside each window */
export function summarizeProfile(dir: string, windows: StepWindow[], top = 8): Map<string, ProfileSummary> {
  const out = new Map<string, ProfileSummary>();
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (!files.length) return out;
  const perStep = windows.map(() => new Map<string, number>());
  for (const file of files) {
    const p = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const names = new Map(
      p.nodes.map((n) => {
        const where = n.callFrame.url ? ` ${n.callFrame.url.replace(/^.*\/(src|node_modules)\//, '$1/')}:${n.callFrame.lineNumber + 1}` : '';
        return [n.id, `${n.callFrame.functionName || '(anonymous)'}${where}`];
      }),
    );
    let t = p.startTime;
    for (let i = 0; i < p.samples.length; i++) {
      const dt = p.timeDeltas[i] ?? 0;
      t += dt;
      const ns = BigInt(Math.round(t)) * 1000n;
      const w = windows.findIndex((x) => ns >= x.from && ns < x.to);
      if (w < 0) continue;
      const name = names.get(p.samples[i]!) ?? '?';
      if (name.startsWith('(idle)')) continue;
      const m = perStep[w]!;
      m.set(name, (m.get(name) ?? 0) + Math.max(dt, 0) / 1000);
    }
  }
  windows.forEach((w, i) => {
    const m = perStep[i]!;
    const totalMs = [...m.values()].reduce((a, b) => a + b, 0);
    const hot = [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([fn, ms]) => ({ fn, ms, share: totalMs > 0 ? ms / totalMs : 0 }));
    out.set(w.step, { totalMs, hot });
  });
  return out;
}
