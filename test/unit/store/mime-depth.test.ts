import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryStore } from '../../../src/store/memory/index.js';
import { openSqliteStore } from '../../../src/store/sqlite/index.js';
import type { MimePart } from '../../../src/mime/types.js';
import type { Store } from '../../../src/store/types.js';

/** a message nested `levels` multiparts deep */
function nested(levels: number): Buffer {
  let body = 'Content-Type: text/plain\r\n\r\ninnermost\r\n';
  for (let i = levels; i > 0; i--) {
    body = `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n${body}--b${i}--\r\n`;
  }
  return Buffer.from(`Subject: deep\r\n${body}`);
}

function depth(p: MimePart): number {
  return 1 + Math.max(0, ...(p.parts ?? []).map(depth));
}

async function indexedDepth(store: Store, raw: Buffer): Promise<number> {
  await store.addDomain('x.test');
  const acc = await store.createAccount('a@x.test', 'hash');
  const inbox = (await store.getMailbox(acc.id, 'INBOX'))!;
  const { uid } = await store.append(acc.id, inbox.id, { raw });
  const [m] = await store.getMessagesWithIndex(acc.id, inbox.id, [uid]);
  return depth(m!.index.root);
}

test('the store indexes MIME only as deep as its mimeDepth option (limits.mime_depth)', async () => {
  const raw = nested(12);
  const deep = createMemoryStore();
  const shallow = createMemoryStore({ mimeDepth: 4 });
  const full = await indexedDepth(deep, raw);
  const cut = await indexedDepth(shallow, raw);
  assert.ok(full > 12, `default depth indexes all 12 levels (got ${full})`);
  assert.ok(cut <= 6 && cut < full, `mimeDepth 4 stops early (got ${cut}; a cut multipart keeps one empty child)`);

  const dir = mkdtempSync(join(tmpdir(), 'lb-depth-'));
  try {
    const sqlite = await openSqliteStore(dir, { mimeDepth: 4 });
    assert.equal(await indexedDepth(sqlite, raw), cut, 'sqlite honours the same limit');
    await sqlite.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  await deep.close();
  await shallow.close();
});
