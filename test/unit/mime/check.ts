/** Shared helpers for the MIME tests: fixture loading and offset invariants checked against raw bytes. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MimeIndex, MimePart } from '../../../src/mime/types.js';

export function fixture(name: string): Buffer {
  return readFileSync(join(process.cwd(), 'test', 'fixtures', 'mime', name));
}

/** Independent line count: number of lines in the body, last line without LF included. */
export function lines(buf: Buffer): number {
  // body-fld-lines counts line breaks; a last line without one is not counted
  return buf.toString('latin1').split('\n').length - 1;
}

function param(p: MimePart, name: string): string | undefined {
  return p.params.find(([k]) => k === name)?.[1];
}

export interface CheckOptions {
  /** allow headers that do not end with a blank line (truncated/broken fixtures) */
  allowOpenHeader?: boolean;
  /** allow the last part of a multipart to end at the end of the data */
  allowTruncated?: boolean;
  /** garbage input: only check offsets, ordering and line counts, not delimiters or lower-case types */
  loose?: boolean;
}

/** Walk every part and check each offset against the raw bytes. Returns the number of parts checked. */
export function checkOffsets(raw: Buffer, index: MimeIndex, opts: CheckOptions = {}): number {
  let count = 0;
  const visit = (p: MimePart, where: string): void => {
    count++;
    assert.ok(0 <= p.headerStart && p.headerStart <= p.bodyStart && p.bodyStart <= p.bodyEnd && p.bodyEnd <= raw.length, `${where}: offsets out of order ${p.headerStart}/${p.bodyStart}/${p.bodyEnd}`);
    const header = raw.subarray(p.headerStart, p.bodyStart).toString('latin1');
    if (!opts.allowOpenHeader && header.length > 0) {
      assert.ok(/(^|\n)\r?\n$/.test(header), `${where}: header does not end with a blank line: ${JSON.stringify(header.slice(-20))}`);
    }
    const body = raw.subarray(p.bodyStart, p.bodyEnd);
    assert.equal(p.bodyLines, lines(body), `${where}: bodyLines`);
    if (opts.loose) {
      p.parts?.forEach((c, i) => {
        assert.ok(c.headerStart >= p.bodyStart && c.bodyEnd <= p.bodyEnd, `${where}.${i + 1}: inside parent`);
        visit(c, `${where}.${i + 1}`);
      });
      if (p.message) {
        assert.equal(p.message.headerStart, p.bodyStart);
        assert.equal(p.message.bodyEnd, p.bodyEnd);
        visit(p.message, `${where}[msg]`);
      }
      return;
    }
    assert.match(p.type, /^[^A-Z/\s]+$/, `${where}: type lower-case`);
    assert.match(p.subtype, /^[^A-Z/\s]+$/, `${where}: subtype lower-case`);
    assert.equal(p.encoding, p.encoding.toUpperCase());
    if (p.type === 'text') assert.ok(param(p, 'charset'), `${where}: text part has a charset`);
    if (p.message) {
      assert.equal(p.message.headerStart, p.bodyStart, `${where}: encapsulated message starts at the body`);
      assert.equal(p.message.bodyEnd, p.bodyEnd, `${where}: encapsulated message ends with the body`);
      assert.ok(p.message.envelope, `${where}: encapsulated message has an envelope`);
      visit(p.message, `${where}[msg]`);
    }
    if (p.type === 'multipart') {
      assert.ok(p.parts && p.parts.length > 0, `${where}: multipart has parts`);
      const b = param(p, 'boundary');
      let prevEnd = p.bodyStart;
      p.parts!.forEach((c, i) => {
        const cw = `${where}.${i + 1}`;
        assert.ok(c.headerStart >= prevEnd && c.bodyEnd <= p.bodyEnd, `${cw}: inside parent, in order`);
        prevEnd = c.bodyEnd;
        if (b && c.headerStart !== c.bodyEnd) {
          // the line before the part is a delimiter line "--b" + transport padding
          const before = raw.subarray(0, c.headerStart).toString('latin1');
          const lineStart = before.lastIndexOf('\n', before.length - 2) + 1;
          const delim = before.slice(lineStart);
          assert.match(delim, new RegExp(`^--${b.replace(/[.*+?^${}()|[\]\\=]/g, '\\$&')}[ \\t]*\\r?\\n$`), `${cw}: preceded by a delimiter`);
          // after the part: CRLF/LF + "--b", or the end of data for a truncated message
          const after = raw.subarray(c.bodyEnd, c.bodyEnd + b.length + 4).toString('latin1');
          if (!(opts.allowTruncated && c.bodyEnd === raw.length)) {
            assert.ok(after.startsWith(`\r\n--${b}`) || after.startsWith(`\n--${b}`), `${cw}: followed by a delimiter, got ${JSON.stringify(after)}`);
          }
        }
        visit(c, cw);
      });
    }
  };
  visit(index.root, 'root');
  assert.ok(index.root.envelope, 'root has an envelope');
  return count;
}

/** Part by a dotted path through parts/message, for test readability. */
export function partAt(index: MimeIndex, path: string): MimePart {
  let p = index.root;
  for (const seg of path.split('.')) {
    if (seg === 'm') p = p.message!;
    else p = p.parts![Number(seg) - 1]!;
    assert.ok(p, `no part ${path}`);
  }
  return p;
}

export function slice(raw: Buffer, a: number, b: number): string {
  return raw.subarray(a, b).toString('latin1');
}
