import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { indexMessage, MAX_PARTS } from '../../../src/mime/index.js';
import { sectionBytes, resolvePart } from '../../../src/mime/section.js';
import { searchableText } from '../../../src/mime/text.js';
import { checkOffsets, fixture } from './check.js';
import { seededRandom } from '../../helpers/random.js';


/** nest `levels` multiparts, each with a text part and the next level */
function deep(levels: number): Buffer {
  let s = 'Subject: deep\r\nContent-Type: multipart/mixed; boundary="b0"\r\n\r\n';
  for (let i = 0; i < levels; i++) {
    s += `--b${i}\r\nContent-Type: text/plain\r\n\r\nlevel ${i}\r\n--b${i}\r\n`;
    s += i + 1 < levels ? `Content-Type: multipart/mixed; boundary="b${i + 1}"\r\n\r\n` : 'Content-Type: text/plain\r\n\r\nbottom\r\n';
  }
  for (let i = levels - 1; i >= 0; i--) s += `--b${i}--\r\n`;
  return Buffer.from(s);
}

function depthOf(ix: ReturnType<typeof indexMessage>): number {
  let d = 0;
  let p = ix.root;
  while (p.parts && p.parts.length > 1) {
    d++;
    p = p.parts[1]!;
  }
  return d;
}

describe('indexMessage robustness', () => {
  it('100 nested multiparts: default depth limit 32 makes the rest opaque, offsets stay valid', () => {
    const raw = deep(100);
    const ix = indexMessage(raw);
    checkOffsets(raw, ix);
    assert.equal(depthOf(ix), 32);
    assert.equal(ix.problems.length, 1);
    assert.match(ix.problems[0]!, /deeper than 32/);
    // the opaque multipart keeps its type, gets one empty text/plain child, and spans to its delimiter
    let p = ix.root;
    for (let i = 0; i < 32; i++) p = p.parts![1]!;
    assert.equal(p.type, 'multipart');
    assert.equal(p.parts!.length, 1);
    assert.equal(p.parts![0]!.bodyEnd - p.parts![0]!.headerStart, 0);
    assert.ok(raw.subarray(p.bodyStart, p.bodyEnd).toString().endsWith('--b33--\r\n--b32--'));
  });

  it('100 nested multiparts with maxDepth 200 are all parsed', () => {
    const raw = deep(100);
    const ix = indexMessage(raw, { maxDepth: 200 });
    checkOffsets(raw, ix);
    assert.equal(depthOf(ix), 100);
    assert.deepEqual(ix.problems, []);
    const path = Array.from({ length: 100 }, () => 2);
    assert.equal(sectionBytes(raw, ix, { path })?.toString(), 'bottom');
    assert.equal(sectionBytes(raw, ix, { path: [...path.slice(0, 99), 1] })?.toString(), 'level 99');
  });

  it('nested message/rfc822 beyond the depth limit becomes an opaque leaf', () => {
    let s = 'Subject: m0\r\n\r\nbody\r\n';
    for (let i = 1; i <= 40; i++) s = `Subject: m${i}\r\nContent-Type: message/rfc822\r\n\r\n${s}`;
    const raw = Buffer.from(s);
    const ix = indexMessage(raw);
    checkOffsets(raw, ix);
    let n = 0;
    let p = ix.root;
    while (p.message) {
      p = p.message;
      n++;
    }
    assert.equal(n, 32);
    assert.equal(p.type, 'message');
    assert.equal(p.message, undefined);
    assert.match(ix.problems.join(), /deeper than 32/);
  });

  it('5,000 Received lines and a 200 KB header field', () => {
    const rec = Array.from({ length: 5000 }, (_, i) => `Received: from host${i}.example (host${i}.example [192.0.2.${i % 250}])\r\n\tby mx.example; Mon, 1 Jan 2024 00:00:00 +0000\r\n`).join('');
    const long = 'X-Long: ' + Array.from({ length: 20000 }, (_, i) => `w${i}`).join(' ').slice(0, 200_000) + '\r\n';
    const folded = 'X-Folded: ' + Array.from({ length: 4000 }, (_, i) => `part${i}`).join('\r\n ') + '\r\n';
    const raw = Buffer.from(`${rec}${long}${folded}Subject: huge\r\nFrom: a@b.example\r\n\r\nbody\r\n`);
    const ix = indexMessage(raw);
    checkOffsets(raw, ix);
    assert.equal(ix.root.envelope!.subject, 'huge');
    assert.equal(raw.subarray(ix.root.bodyStart, ix.root.bodyEnd).toString(), 'body\r\n');
    const t = searchableText(raw, ix);
    assert.equal(t.header.split('\n').filter((l) => l.startsWith('Received: ')).length, 5000);
    assert.ok(t.header.includes('part0 part1'), 'folded field unfolded');
    const r = sectionBytes(raw, ix, { path: [], specifier: 'HEADER.FIELDS', fields: ['subject', 'x-long'] })!;
    assert.equal(r.length, long.length + 'Subject: huge\r\n\r\n'.length);
  });

  it('never throws on random, truncated and mutated inputs', () => {
    const rand = seededRandom(12345);
    const seeds = ['mixed-attachments.eml', 'forwarded-twice.eml', 'rfc2231.eml', 'groups.eml', 'digest.eml', 'bare-lf.eml'].map(fixture);
    const tokens = ['\r\n', '\n', '--', 'outer', '--outer--', ':', ';', '"', '(', '=?', '?=', 'Content-Type: multipart/mixed; boundary=x\r\n', '\r\n\r\n', '\x00', '\xff'];
    let n = 0;
    const exercise = (buf: Buffer): void => {
      const ix = indexMessage(buf);
      assert.ok(!ix.problems.some((x) => x.startsWith('index failed')), `internal error: ${ix.problems.join('; ')}`);
      // the structure stays internally consistent even on garbage
      checkOffsets(buf, ix, { allowOpenHeader: true, allowTruncated: true, loose: true });
      searchableText(buf, ix);
      for (const path of [[], [1], [1, 1], [2, 1, 1]]) {
        resolvePart(ix, path);
        sectionBytes(buf, ix, { path, specifier: 'HEADER.FIELDS', fields: ['subject'] });
        sectionBytes(buf, ix, { path, specifier: 'TEXT' });
      }
      JSON.stringify(ix);
      n++;
    };
    for (const seed of seeds) {
      for (let cut = 0; cut <= seed.length; cut += Math.max(1, Math.floor(seed.length / 97))) exercise(seed.subarray(0, cut));
      for (let k = 0; k < 150; k++) {
        const b = Buffer.from(seed);
        const edits = 1 + Math.floor(rand() * 8);
        let s = b.toString('latin1');
        for (let e = 0; e < edits; e++) {
          const at = Math.floor(rand() * s.length);
          const r = rand();
          if (r < 0.4) s = s.slice(0, at) + tokens[Math.floor(rand() * tokens.length)] + s.slice(at);
          else if (r < 0.7) s = s.slice(0, at) + s.slice(at + Math.floor(rand() * 40));
          else s = s.slice(0, at) + String.fromCharCode(Math.floor(rand() * 256)) + s.slice(at + 1);
        }
        exercise(Buffer.from(s, 'latin1'));
      }
    }
    for (let k = 0; k < 300; k++) {
      const len = Math.floor(rand() * 400);
      const b = Buffer.alloc(len);
      for (let i = 0; i < len; i++) b[i] = rand() < 0.3 ? [10, 13, 45, 58, 59, 34][Math.floor(rand() * 6)]! : Math.floor(rand() * 256);
      exercise(b);
    }
    assert.ok(n > 1000);
  });

  it('odd inputs: empty, only a blank line, no boundary parameter, base64 message/rfc822, bad Content-Type', () => {
    for (const s of ['', '\r\n', '\n', 'x', ':', '--\r\n', 'Subject: x\r\n\r\n']) {
      const raw = Buffer.from(s);
      const ix = indexMessage(raw);
      checkOffsets(raw, ix, { allowOpenHeader: true });
    }
    const nob = Buffer.from('Content-Type: multipart/mixed\r\n\r\n--x\r\n\r\nhi\r\n--x--\r\n');
    const ix1 = indexMessage(nob);
    checkOffsets(nob, ix1);
    assert.equal(ix1.root.parts!.length, 1);
    assert.match(ix1.problems.join(), /without boundary/);
    const b64 = Buffer.from('Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\nU3ViamVjdDogeA0KDQp5\r\n');
    const ix2 = indexMessage(b64);
    assert.equal(ix2.root.message, undefined);
    assert.equal(ix2.root.bodyEnd, b64.length);
    const bad = Buffer.from('Content-Type: garbage\r\n\r\nx');
    const ix3 = indexMessage(bad);
    assert.equal(`${ix3.root.type}/${ix3.root.subtype}`, 'text/plain');
    assert.deepEqual(ix3.root.params, [['charset', 'us-ascii']]);
    assert.match(ix3.problems.join(), /invalid Content-Type/);
    const quoted = indexMessage(Buffer.from('Content-Type: "TEXT/html"; charset=utf-8\r\n\r\nx'));
    assert.equal(`${quoted.root.type}/${quoted.root.subtype}`, 'text/html');
    assert.deepEqual(quoted.problems, []);
    const noparts = Buffer.from('Content-Type: multipart/mixed; boundary=zz\r\n\r\nonly a preamble\r\n');
    const ix4 = indexMessage(noparts);
    checkOffsets(noparts, ix4);
    assert.equal(ix4.root.parts!.length, 1);
    assert.match(ix4.problems.join(), /never found/);
    // a body part without header and without the blank line
    const nohdr = Buffer.from('Content-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\njust text\r\n--q--\r\n');
    const ix5 = indexMessage(nohdr);
    checkOffsets(nohdr, ix5);
    assert.equal(nohdr.subarray(ix5.root.parts![0]!.bodyStart, ix5.root.parts![0]!.bodyEnd).toString(), 'just text');
    // an inner multipart without close-delimiter whose last part has an empty body: the CRLF before the
    // outer delimiter is that part's blank line, and the inner multipart must still contain its part
    const shared = Buffer.from('Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\nContent-Type: multipart/alternative; boundary=i\r\n\r\n--i\r\nContent-Type: text/plain\r\n\r\n--o--\r\n');
    const ix6 = indexMessage(shared);
    checkOffsets(shared, ix6, { loose: true });
    const inner = ix6.root.parts![0]!;
    assert.equal(inner.parts![0]!.bodyStart, inner.parts![0]!.bodyEnd);
    assert.ok(inner.bodyEnd >= inner.parts![0]!.bodyEnd);
    assert.equal(shared.subarray(inner.parts![0]!.headerStart, inner.parts![0]!.bodyStart).toString(), 'Content-Type: text/plain\r\n\r\n');
    // (bogus input type) still no throw
    assert.doesNotThrow(() => indexMessage(undefined as unknown as Buffer));
  });
});

describe('indexMessage limits', () => {
  it('stops indexing after MAX_PARTS parts, keeps offsets consistent and caps problems', () => {
    const n = MAX_PARTS + 500;
    const raw = Buffer.from('Subject: many\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n' + Array.from({ length: n }, (_, i) => `--x\r\n\r\np${i}\r\n`).join('') + '--x--\r\nepilogue\r\n');
    const ix = indexMessage(raw);
    checkOffsets(raw, ix);
    assert.equal(ix.root.parts!.length, MAX_PARTS);
    assert.equal(ix.root.bodyEnd, raw.length);
    assert.equal(ix.problems.length, 1);
    assert.match(ix.problems[0]!, /more than/);
    const empty = Buffer.from('Content-Type: multipart/mixed; boundary=x\r\n\r\n' + '--x\r\n'.repeat(200));
    const ie = indexMessage(empty);
    assert.ok(ie.problems.length <= 51);
    checkOffsets(empty, ie, { allowOpenHeader: true, allowTruncated: true });
  });
});
