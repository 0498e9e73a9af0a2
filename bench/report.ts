/** The figures table (letterbox / peer ratio) and its JSON twin. */
import { writeFileSync } from 'node:fs';

export interface Figure {
  key: string;
  label: string;
  unit: string;
  better: 'higher' | 'lower';
  value: number;
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
    };
  });
}

const fmt = (n: number | null) => (n === null ? '-' : n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

export function printTable(rows: Row[], peerName: string | null): void {
  const head = ['figure', 'unit', 'letterbox', peerName ?? 'peer', 'ratio', ''];
  const body = rows.map((r) => [
    r.label,
    `${r.unit} (${r.better === 'higher' ? '↑' : '↓'})`,
    fmt(r.letterbox),
    fmt(r.peer),
    r.ratio === null ? '-' : r.ratio.toFixed(2),
    r.ahead === null ? '' : r.ahead ? 'ok' : 'BEHIND',
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
