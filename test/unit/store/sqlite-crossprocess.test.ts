/**
 * A second process (the CLI) restores POP3-deleted messages while the "server" store is
 * open with a subscriber: the server publishes the new messages on its own bus.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSqliteStore } from '../../../src/store/sqlite/index.js';
import type { Change } from '../../../src/store/types.js';
import { inboxId, rawMessage, seedAccount } from './fixtures.js';

const here = fileURLToPath(import.meta.url);
const isTs = here.endsWith('.ts');
const child = join(dirname(here), isTs ? 'restore-child.ts' : 'restore-child.js');

function run(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, isTs ? ['--import', 'tsx', child, ...args] : [child, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += String(d)));
    p.stderr.on('data', (d) => (err += String(d)));
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`child failed (${code}): ${err}`))));
  });
}

describe('sqlite cross-process changes', () => {
  it("the server's bus publishes a restore made by another process", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'letterbox-xproc-'));
    const server = await openSqliteStore(dir);
    try {
      const a = await seedAccount(server);
      const inbox = await inboxId(server, a.id);
      const raw = rawMessage({ subject: 'come back' });
      await server.append(a.id, inbox, { raw });
      const guid = (await server.pop3List(a.id))[0]!.guid;
      await server.pop3Delete(a.id, [1], 'retain', 30);
      const got: Change[] = [];
      const unsub = server.bus.subscribe(a.id, (c) => got.push(...c));
      try {
        assert.equal((await run([dir, a.address])).trim(), 'restored 1');
        const deadline = Date.now() + 5000;
        while (got.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        assert.equal(got.length, 1);
        const c = got[0]!;
        assert.equal(c.kind, 'exists');
        assert.equal(c.mailboxId, inbox);
        assert.equal(c.kind === 'exists' && c.uid, 2);
        const entry = (await server.pop3List(a.id))[0]!;
        assert.equal(entry.guid, guid);
        assert.ok((await server.getRaw(a.id, inbox, 2)).equals(raw));
      } finally {
        unsub();
      }
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
