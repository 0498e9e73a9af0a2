/**
 * checkIndex: does a stored MIME index still describe these bytes? Used by `letterbox
 * verify`. It checks what every index of every release promises (types.ts): offsets in
 * order and inside the message, children inside their parent and in order, an encapsulated
 * message spanning its part's body, line counts, bare LF count and 8-bit flag. It does not
 * compare with a fresh index, so a later indexer (or another mime_depth) never makes old
 * rows look corrupt.
 */
import { isAscii } from 'node:buffer';
import type { MimeIndex, MimePart } from './types.js';

const LF = 10;
const CR = 13;
/** problems listed per message before the rest are summed up */
const MAX = 5;

function countLf(raw: Buffer, start: number, end: number): { lf: number; bare: number } {
  let lf = 0;
  let bare = 0;
  for (let p = raw.indexOf(LF, start); p >= 0 && p < end; p = raw.indexOf(LF, p + 1)) {
    lf++;
    if (p === 0 || raw[p - 1] !== CR) bare++;
  }
  return { lf, bare };
}

/** The ways `index` fails to describe `raw`, as short phrases; [] when it does. */
export function checkIndex(raw: Buffer, index: MimeIndex): string[] {
  const problems: string[] = [];
  const add = (p: string) => {
    if (problems.length < MAX) problems.push(p);
  };
  if (!index || typeof index !== 'object' || !index.root) return ['no MIME index'];
  const whole = countLf(raw, 0, raw.length);
  if (index.bareLf !== whole.bare) add(`index counts ${index.bareLf} bare LF, the bytes have ${whole.bare}`);
  if (index.has8bit !== !isAscii(raw)) add(`index says has8bit=${index.has8bit}, the bytes say ${!isAscii(raw)}`);
  if (index.root.headerStart !== 0 || index.root.bodyEnd !== raw.length)
    add(`root part spans ${index.root.headerStart}..${index.root.bodyEnd}, the message is ${raw.length} bytes`);
  let parts = 0;
  const visit = (p: MimePart, where: string, lo: number, hi: number): void => {
    if (++parts > 100_000 || problems.length >= MAX) return;
    if (!(lo <= p.headerStart && p.headerStart <= p.bodyStart && p.bodyStart <= p.bodyEnd && p.bodyEnd <= hi)) {
      add(`part ${where}: offsets ${p.headerStart}/${p.bodyStart}/${p.bodyEnd} outside ${lo}..${hi} or out of order`);
      return;
    }
    const lines = countLf(raw, p.bodyStart, p.bodyEnd).lf;
    if (p.bodyLines !== lines) add(`part ${where}: index counts ${p.bodyLines} body lines, the bytes have ${lines}`);
    let prev = p.bodyStart;
    p.parts?.forEach((c, i) => {
      if (c.headerStart < prev) add(`part ${where}.${i + 1}: starts before the previous part ends`);
      visit(c, `${where}.${i + 1}`, p.bodyStart, p.bodyEnd);
      prev = Math.max(prev, c.bodyEnd);
    });
    if (p.message) {
      if (p.message.headerStart !== p.bodyStart || p.message.bodyEnd !== p.bodyEnd) add(`part ${where}: the encapsulated message does not span the body`);
      visit(p.message, `${where}.msg`, p.bodyStart, p.bodyEnd);
    }
  };
  visit(index.root, 'root', 0, raw.length);
  return problems;
}
