/** The sizes of a FETCH's writes (src/imap/commands/fetch.ts writeLimit): small first, then doubling to a cap. */
import { test } from 'node:test';
import assert from 'node:assert/strict';

test('writeLimit starts at 16 KiB and doubles up to 256 KiB', async () => {
  const { writeLimit } = await import('../../../src/imap/commands/fetch.js');
  const seen: number[] = [];
  let limit = writeLimit(0);
  for (let i = 0; i < 8; i++) {
    seen.push(limit);
    limit = writeLimit(limit);
  }
  assert.deepEqual(seen, [16384, 32768, 65536, 131072, 262144, 262144, 262144, 262144]);
});
