/**
 * Delivery prefixes placed by offset (src/mime/prefix.ts) give exactly the index of the
 * copy as stored, and line counting keeps bounded memory (src/mime/lines.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { indexMessage } from '../../../src/mime/index.js';
import { indexWithPrefix, isHeaderPrefix } from '../../../src/mime/prefix.js';
import { LineCounter } from '../../../src/mime/lines.js';
import { splitMbox } from '../../../src/mime/mbox.js';

const CORPUS = '../shared/corpus/sample.mbox';
const FIXTURES = 'test/fixtures/mime';

const PREFIXES = [
  'Return-Path: <bob@example.org>\r\nDelivered-To: alice@example.test\r\n',
  'Return-Path: <>\r\nDelivered-To: ålice@exämple.test\r\n' +
    'Authentication-Results: mail.example.test; spf=pass smtp.mailfrom=example.org\r\n' +
    'Received: from client.example.org (client.example.org [192.0.2.1])\r\n\tby mail.example.test (letterbox) with ESMTPS\r\n\tid 1abc;\r\n\tThu, 26 Nov 2026 03:40:22 +0000\r\n',
].map((p) => Buffer.from(p, 'utf8'));

function assertSame(raw: Buffer, what: string): void {
  const base = indexMessage(raw);
  for (const prefix of PREFIXES) {
    const copy = Buffer.concat([prefix, raw]);
    const derived = indexWithPrefix(base, raw.length, prefix);
    if (raw.length === 0) {
      assert.equal(derived, null, 'an empty message is indexed as a copy');
      continue;
    }
    assert.deepEqual(derived, indexMessage(copy), `${what}: the shifted index is the index of the copy`);
  }
}

describe('delivery prefixes by offset', () => {
  it('equal the index of the stored copy on the sample corpus and the MIME fixtures', (t) => {
    if (!existsSync(CORPUS)) return t.skip('sample.mbox not found beside the repository');
    const msgs = splitMbox(readFileSync(CORPUS));
    assert.ok(msgs.length >= 100);
    msgs.forEach((m, i) => assertSame(m, `corpus message ${i}`));
    for (const f of readdirSync(FIXTURES)) assertSame(readFileSync(join(FIXTURES, f)), f);
  });

  it('equal it on odd messages: empty, no header, leading whitespace, bare CR/LF, no blank line', () => {
    const odd = [
      '',
      '\r\nbody only\r\n',
      '\nbody after a bare LF\n',
      ' continuation first: x\r\nSubject: s\r\n\r\nb',
      '\tSubject: folded first\r\n\r\nb',
      'garbage line\r\nFrom: a@b\r\n\r\nb',
      'Subject: never ends',
      'Subject: x\rFrom: ceo@victim.example\r\n\r\nb',
      'Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\nx\r\n--b--\r\n',
      '\r\n\r\n',
      '\r',
    ];
    for (const o of odd) assertSame(Buffer.from(o, 'latin1'), JSON.stringify(o));
  });

  it('equal it on random messages', () => {
    const line = fc.oneof(
      fc.constantFrom('Subject: hi', 'From: a@b.test', 'Content-Type: multipart/mixed; boundary=zz', '--zz', '--zz--', '', ' folded', 'Content-Type: message/rfc822', 'Content-Transfer-Encoding: base64'),
      fc.string({ maxLength: 20 }),
    );
    const eol = fc.constantFrom('\r\n', '\n', '\r', '');
    fc.assert(
      fc.property(fc.array(fc.tuple(line, eol), { maxLength: 30 }), (lines) => {
        assertSame(Buffer.from(lines.map(([l, e]) => l + e).join(''), 'utf8'), JSON.stringify(lines));
      }),
      { numRuns: 300, seed: 9 },
    );
  });

  it('refuses prefixes that are not whole CRLF header fields', () => {
    for (const bad of ['Subject: no line end', 'X: a\n', 'X: a\r\n\r\n', ' continued: first\r\n', 'not a field\r\n', 'X: a\r\nbroken\r\n']) {
      assert.equal(isHeaderPrefix(Buffer.from(bad)), false, JSON.stringify(bad));
      assert.equal(indexWithPrefix(indexMessage(Buffer.from('Subject: s\r\n\r\nb')), 16, Buffer.from(bad)), null);
    }
    assert.equal(isHeaderPrefix(Buffer.from('X: a\r\n\tb\r\nY: c\r\n')), true);
  });
});

describe('line counting', () => {
  it('counts the LFs of any range like a plain scan', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), fc.nat(), fc.nat(), fc.boolean(), (bytes, x, y, dense) => {
        const raw = Buffer.from(dense ? bytes.map((b) => (b % 3 === 0 ? 10 : b % 3 === 1 ? 13 : b)) : bytes);
        const lc = new LineCounter(raw);
        const a = raw.length ? x % (raw.length + 1) : 0;
        const b = raw.length ? y % (raw.length + 1) : 0;
        let n = 0;
        let bare = 0;
        for (let i = 0; i < raw.length; i++) {
          if (raw[i] !== 10) continue;
          if (i >= a && i < b) n++;
          if (i === 0 || raw[i - 1] !== 13) bare++;
        }
        assert.equal(lc.count(a, b), n);
        assert.equal(lc.bareLf, bare);
      }),
      { numRuns: 500, seed: 3 },
    );
  });

  it('holds 4 bytes per KiB of message, however many lines it has', () => {
    const raw = Buffer.alloc(8 * 1024 * 1024, 10);
    const lc = new LineCounter(raw);
    assert.equal(lc.count(0, raw.length), raw.length);
    assert.ok(lc.memoryBytes <= raw.length / 200, `${lc.memoryBytes} bytes for ${raw.length} line feeds`);
  });

  it('indexes 48 MiB of bare line feeds within a 160 MiB heap (an array of LF offsets needs over 1 GB)', () => {
    const underTsx = import.meta.url.endsWith('.ts');
    const mod = new URL(underTsx ? '../../../src/mime/index.ts' : '../../../src/mime/index.js', import.meta.url).href;
    const script =
      `const { indexMessage } = await import(${JSON.stringify(mod)});` +
      `const raw = Buffer.concat([Buffer.from('From: a@b.test\\r\\nSubject: x\\r\\n\\r\\n'), Buffer.alloc(48 * 1024 * 1024, 10)]);` +
      `const idx = indexMessage(raw); if (idx.root.bodyLines !== 48 * 1024 * 1024 || idx.problems.length) process.exit(3);`;
    const r = spawnSync(process.execPath, [...(underTsx ? ['--import', 'tsx'] : []), '--max-old-space-size=160', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(r.status, 0, `indexing child exited ${r.status ?? r.signal}: ${r.stderr.slice(-400)}`);
  });
});
