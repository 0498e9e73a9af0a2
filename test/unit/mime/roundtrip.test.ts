/**
 * Property test: random well-formed MIME trees are serialised, indexed, and every part's
 * type, header bytes and body bytes must come back exactly as generated.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { indexMessage } from '../../../src/mime/index.js';
import { sectionBytes } from '../../../src/mime/section.js';
import type { MimePart } from '../../../src/mime/types.js';
import { checkOffsets } from './check.js';

type Node =
  | { kind: 'leaf'; type: string; header: string; body: string }
  | { kind: 'multi'; subtype: string; boundary: string; header: string; preamble: string; epilogue: string; parts: Node[] }
  | { kind: 'msg'; header: string; inner: { header: string; node: Node } };

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function gen(r: () => number, depth: number, nl: string, counter: { n: number }, inDigest: boolean): Node {
  const pick = r();
  if (depth < 4 && pick < 0.3) {
    const subtype = ['mixed', 'alternative', 'related', 'digest'][Math.floor(r() * 4)]!;
    const boundary = `b${counter.n++}_${Math.floor(r() * 1e6)}`;
    const n = 1 + Math.floor(r() * 3);
    const parts = Array.from({ length: n }, () => gen(r, depth + 1, nl, counter, subtype === 'digest'));
    return {
      kind: 'multi',
      subtype,
      boundary,
      header: `Content-Type: multipart/${subtype};${nl} boundary="${boundary}"${nl}`,
      preamble: r() < 0.5 ? '' : `preamble text${nl}--${boundary}X not a delimiter${nl}`,
      epilogue: r() < 0.5 ? '' : `epilogue${nl}`,
      parts,
    };
  }
  if (depth < 4 && pick < 0.45) {
    const inner = gen(r, depth + 1, nl, counter, false);
    const subj = `Subject: inner ${counter.n++}${nl}From: x${counter.n}@example.org${nl}`;
    return { kind: 'msg', header: inDigest && r() < 0.5 ? '' : `Content-Type: message/rfc822${nl}`, inner: { header: subj, node: inner } };
  }
  const lines = Array.from({ length: Math.floor(r() * 5) }, (_, i) => (r() < 0.2 ? `-- signature-like line ${i}` : `line ${i} ${'x'.repeat(Math.floor(r() * 30))}`));
  const type = r() < 0.5 ? 'text/plain' : 'application/octet-stream';
  return { kind: 'leaf', type, header: inDigest ? `Content-Type: ${type}${nl}` : r() < 0.3 ? '' : `Content-Type: ${type}${nl}`, body: lines.join(nl) };
}

/** serialise a node: header fields + blank line + body; returns the entity text */
function ser(node: Node, nl: string): string {
  switch (node.kind) {
    case 'leaf':
      return `${node.header}${nl}${node.body}`;
    case 'msg':
      return `${node.header}${nl}${node.inner.header}${ser(node.inner.node, nl).replace(/^/, '')}`;
    case 'multi': {
      let s = `${node.header}${nl}${node.preamble}`;
      for (const p of node.parts) s += `--${node.boundary}${nl}${ser(p, nl)}${nl}`;
      s += `--${node.boundary}--${nl}${node.epilogue}`;
      return s;
    }
  }
}

function body(node: Node, nl: string): string {
  return ser(node, nl).slice(node.header.length + nl.length);
}

function compare(raw: Buffer, part: MimePart, node: Node, nl: string, where: string, digestChild: boolean): void {
  const got = raw.subarray(part.bodyStart, part.bodyEnd).toString('latin1');
  assert.equal(got, body(node, nl), `${where}: body bytes`);
  assert.equal(raw.subarray(part.headerStart, part.bodyStart).toString('latin1'), node.header + nl, `${where}: header bytes`);
  if (node.kind === 'leaf') {
    const expected = node.header ? node.type : digestChild ? 'message/rfc822' : 'text/plain';
    if (!(digestChild && !node.header)) assert.equal(`${part.type}/${part.subtype}`, expected, `${where}: type`);
  } else if (node.kind === 'multi') {
    assert.equal(part.subtype, node.subtype);
    assert.equal(part.parts!.length, node.parts.length, `${where}: part count`);
    node.parts.forEach((c, i) => compare(raw, part.parts![i]!, c, nl, `${where}.${i + 1}`, node.subtype === 'digest'));
  } else {
    assert.equal(`${part.type}/${part.subtype}`, 'message/rfc822', `${where}: type`);
    const m = part.message!;
    assert.equal(raw.subarray(m.headerStart, m.bodyStart).toString('latin1'), node.inner.header + node.inner.node.header + nl);
    assert.ok(m.envelope!.subject!.startsWith('inner '));
  }
}

describe('random MIME trees round-trip through the index', () => {
  for (const nl of ['\r\n', '\n']) {
    it(`300 random trees with ${nl === '\n' ? 'LF' : 'CRLF'} line endings`, () => {
      const r = rng(nl.length * 7919);
      let parts = 0;
      for (let k = 0; k < 300; k++) {
        const counter = { n: 0 };
        const top = gen(r, 0, nl, counter, false);
        // the top-level message: envelope fields + the entity's own Content-Type header
        const root: Node = top;
        const text = `Subject: top ${k}${nl}${ser(root, nl)}`;
        const raw = Buffer.from(text, 'latin1');
        const ix = indexMessage(raw);
        assert.deepEqual(ix.problems, [], `message ${k}`);
        parts += checkOffsets(raw, ix);
        // root header includes the Subject line
        const hdr = raw.subarray(ix.root.headerStart, ix.root.bodyStart).toString('latin1');
        assert.equal(hdr, `Subject: top ${k}${nl}${root.header}${nl}`);
        assert.equal(ix.root.envelope!.subject, `top ${k}`);
        assert.equal(raw.subarray(ix.root.bodyStart, ix.root.bodyEnd).toString('latin1'), body(root, nl));
        if (root.kind === 'multi') root.parts.forEach((c, i) => compare(raw, ix.root.parts![i]!, c, nl, `${k}:${i + 1}`, root.subtype === 'digest'));
        if (root.kind === 'multi' && root.parts[0]!.kind === 'leaf') {
          assert.equal(sectionBytes(raw, ix, { path: [1] })!.toString('latin1'), root.parts[0]!.body);
        }
      }
      assert.ok(parts > 600, `parts checked: ${parts}`);
    });
  }
});
