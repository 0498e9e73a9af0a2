/**
 * Cross-check with an independent client parser: what the encoder writes for real
 * messages (FETCH with UID, ENVELOPE, BODYSTRUCTURE, BODY[]) must parse in imapflow's
 * response parser and describe the same structure as the stored MIME index.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImapStream } from 'imapflow/lib/handler/imap-stream.js';
import { parser } from 'imapflow/lib/handler/imap-handler.js';
import { parseBodystructure, parseEnvelope } from 'imapflow/lib/tools.js';
import { indexMessage } from '../../../../src/mime/index.js';
import type { MimePart } from '../../../../src/mime/types.js';
import { atom, encodeBodyStructure, encodeEnvelope, encodeFetch } from '../../../../src/imap/wire/index.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
function parseWithImapflow(bytes: Buffer): Promise<any> {
  return new Promise((resolve, reject) => {
    const s = new ImapStream();
    s.on('data', (item: any) => {
      parser(item.payload, { literals: item.literals }).then(resolve, reject);
      item.next();
    });
    s.on('error', reject);
    s.end(bytes);
  });
}

interface Shape {
  type: string;
  size?: number;
  children?: Shape[];
}

function ours(p: MimePart): Shape {
  if (p.type === 'multipart') return { type: `multipart/${p.subtype}`, children: (p.parts ?? []).map(ours) };
  return { type: `${p.type}/${p.subtype}`, size: p.bodyEnd - p.bodyStart };
}

function theirs(n: any): Shape {
  if (n.childNodes && n.type.startsWith('multipart/')) return { type: n.type, children: n.childNodes.map(theirs) };
  return { type: n.type, size: n.size };
}

const dir = join(process.cwd(), 'test/fixtures/mime');

test('imapflow parses our FETCH responses for every fixture, in rev1 and UTF-8 mode', async () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
  assert.ok(files.length > 5);
  for (const f of files) {
    const raw = readFileSync(join(dir, f));
    const idx = indexMessage(raw);
    for (const utf8 of [false, true]) {
      const chunks = encodeFetch(
        3,
        [
          ['UID', 77],
          ['FLAGS', [atom('\\Seen')]],
          ['ENVELOPE', encodeEnvelope(idx.root.envelope, utf8)],
          ['BODYSTRUCTURE', encodeBodyStructure(idx.root, true, { utf8 })],
          ['BODY[]', raw],
        ],
        { utf8 },
      );
      const r = await parseWithImapflow(Buffer.concat(chunks));
      assert.equal(r.tag, '*');
      assert.equal(r.command, '3');
      const attrs = r.attributes[1] as any[];
      const get = (k: string) => attrs[attrs.findIndex((a: any) => a && a.value === k) + 1];
      assert.equal(get('UID').value, '77');
      const body = get('BODY');
      assert.ok(Buffer.from(body.value).equals(raw), `${f}: BODY[] bytes`);
      const bs = parseBodystructure(get('BODYSTRUCTURE'));
      assert.deepEqual(theirs(bs), ours(idx.root), `${f} utf8=${utf8}`);
      const env = parseEnvelope(get('ENVELOPE'));
      const e = idx.root.envelope!;
      assert.equal(env.subject ?? null, e.subject === null ? null : e.subject.replace(/\s+/g, ' ').trim() || null, `${f}: subject`);
      assert.deepEqual(
        (env.from ?? []).map((a: any) => a.address),
        (e.from ?? []).filter((a) => a.host !== null).map((a) => `${a.mailbox}@${a.host}`),
        `${f}: from`,
      );
    }
  }
});
