import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { indexMessage } from '../../../../src/mime/index.js';
import type { MimePart } from '../../../../src/mime/types.js';
import { encodeBodyStructure, encodeEnvelope, encodeToString } from '../../../../src/imap/wire/index.js';
import { parseResponse, type RVal } from './respparse.js';

const dir = join(process.cwd(), 'test/fixtures/mime');
const files = readdirSync(dir).filter((f) => f.endsWith('.eml'));

function leaves(p: MimePart, out: MimePart[] = []): MimePart[] {
  if (p.type === 'multipart') for (const c of p.parts ?? []) leaves(c, out);
  else out.push(p);
  return out;
}

/** Sizes of the leaf parts found in a parsed BODYSTRUCTURE, in order (octets field). */
function leafSizes(v: RVal, out: number[] = []): number[] {
  const a = v as RVal[];
  if (Array.isArray(a[0])) {
    for (let i = 0; Array.isArray(a[i]); i++) leafSizes(a[i]!, out);
  } else out.push(a[6] as number);
  return out;
}

test('BODYSTRUCTURE/BODY/ENVELOPE of real fixture messages parse back with the right sizes', () => {
  assert.ok(files.length > 5);
  for (const f of files) {
    const raw = readFileSync(join(dir, f));
    const idx = indexMessage(raw);
    for (const utf8 of [false, true]) {
      for (const extended of [true, false]) {
        const text = encodeToString(encodeBodyStructure(idx.root, extended, { utf8 }), { utf8 });
        const parsed = parseResponse(text);
        assert.equal(parsed.length, 1, `${f}: one value`);
        const expectSizes = leaves(idx.root).map((p) => p.bodyEnd - p.bodyStart);
        // top-level leaves only (message/rfc822 parts count as one leaf with their own size)
        assert.deepEqual(leafSizes(parsed[0]!), expectSizes, f);
      }
      const env = encodeToString(encodeEnvelope(idx.root.envelope, utf8), { utf8 });
      const pe = parseResponse(env);
      assert.equal(pe.length, 1, f);
      assert.equal((pe[0] as RVal[]).length, 10, f);
    }
  }
});
