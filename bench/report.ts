/** The figures table (letterbox / peer ratio, machine load), its JSON twin, and regressions against the last JSON. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { MachineLoad } from './lib/load.js';

export interface Figure {
  key: string;
  label: string;
  unit: string;
  better: 'higher' | 'lower';
  value: number;
  /** how busy the machine was during the step that measured it */
  load?: MachineLoad;
}

export interface Row {
  key: string;
  label: string;
  unit: string;
  better: 'higher' | 'lower';
  letterbox: number | null;
  peer: number | null;
  /** letterbox / peer */
  ratio: number | null;
  /** true when letterbox is at least as good as the peer */
  ahead: boolean | null;
  letterboxLoad: MachineLoad | null;
  peerLoad: MachineLoad | null;
}

export function merge(ours: Figure[], peer: Figure[]): Row[] {
  const keys = [...new Set([...ours.map((f) => f.key), ...peer.map((f) => f.key)])];
  return keys.map((key) => {
    const a = ours.find((f) => f.key === key);
    const b = peer.find((f) => f.key === key);
    const meta = (a ?? b)!;
    const ratio = a && b && b.value !== 0 ? a.value / b.value : null;
    return {
      key,
      label: meta.label,
      unit: meta.unit,
      better: meta.better,
      letterbox: a?.value ?? null,
      peer: b?.value ?? null,
      ratio,
      ahead: ratio === null ? null : meta.better === 'higher' ? ratio >= 1 : ratio <= 1,
      letterboxLoad: a?.load ?? null,
      peerLoad: b?.load ?? null,
    };
  });
}

const fmt = (n: number | null) => (n === null ? '-' : n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

export function printTable(rows: Row[], peerName: string | null): void {
  const head = ['figure', 'unit', 'letterbox', peerName ?? 'peer', 'ratio', '', 'busy cores lb / peer (server)'];
  const load = (l: MachineLoad | null) => (l ? `${l.busyCores.toFixed(1)} (${l.serverCores.toFixed(1)})` : '-');
  const body = rows.map((r) => [
    r.label,
    `${r.unit} (${r.better === 'higher' ? '↑' : '↓'})`,
    fmt(r.letterbox),
    fmt(r.peer),
    r.ratio === null ? '-' : r.ratio.toFixed(2),
    r.ahead === null ? '' : r.ahead ? 'ok' : 'BEHIND',
    `${load(r.letterboxLoad)} / ${load(r.peerLoad)}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(line(b));
}

export function writeJson(path: string, data: unknown): void {
  writeFileSync(path, JSON.stringify(data, null, 2) + '\n');
}

export interface Baseline {
  date: string;
  rows: Row[];
  /** how letterbox ran in that pass (null: a file from before it was recorded, when the table's pass ran under the profiler with one process by default) */
  setup: string | null;
}

/** the rows of an earlier run's JSON, or null when there is none (or it is unreadable) */
export function readBaseline(path: string): Baseline | null {
  if (!existsSync(path)) return null;
  try {
    const j = JSON.parse(readFileSync(path, 'utf8')) as { date?: string; rows?: Row[]; setup?: string };
    return Array.isArray(j.rows) ? { date: j.date ?? '?', rows: j.rows, setup: j.setup ?? null } : null;
  } catch {
    return null;
  }
}

/** worse than the baseline by more than this fraction is flagged (figures on a shared machine move ~10%) */
export const REGRESSION_THRESHOLD = 0.2;

/**
 * Prints letterbox figures that got worse than in the baseline run by more than the
 * threshold, with the peer's movement beside them: when the peer moved as much, the machine
 * was busier, not letterbox slower.
 */
export function printRegressions(rows: Row[], baseline: Baseline, setup: string): Row[] {
  const worse: Row[] = [];
  const lines: string[] = [];
  for (const r of rows) {
    const b = baseline.rows.find((x) => x.key === r.key);
    if (!b || r.letterbox === null || b.letterbox === null || b.letterbox === 0) continue;
    const change = r.letterbox / b.letterbox;
    const bad = r.better === 'higher' ? change < 1 - REGRESSION_THRESHOLD : change > 1 + REGRESSION_THRESHOLD;
    if (!bad) continue;
    worse.push(r);
    const peer = r.peer !== null && b.peer ? ` (peer ×${(r.peer / b.peer).toFixed(2)})` : '';
    lines.push(`  REGRESSION ${r.label}: ${fmt(b.letterbox)} → ${fmt(r.letterbox)} ${r.unit} (×${change.toFixed(2)})${peer}`);
  }
  console.log(`\nagainst the previous run (${baseline.date}): ${worse.length ? `${worse.length} figure(s) worse by more than ${REGRESSION_THRESHOLD * 100}%` : 'no regressions'}`);
  if (baseline.setup !== setup) console.log(`  note: letterbox ran differently then (${baseline.setup ?? 'not recorded: serve --workers 1 under the profiler unless --no-profile'}; now ${setup}): changes may come from that`);
  for (const l of lines) console.log(l);
  return worse;
}
