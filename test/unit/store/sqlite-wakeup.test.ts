/**
 * The wake-up socket between processes on one SQLite file (src/store/sqlite/wakeup.ts): the
 * hub passes a commit's `w` only to processes that listen, tells each process whether
 * another one listens (`y` / `n`), and a writer that hears `y` sends one `w` so the new
 * listener reads what was committed meanwhile. Then two stores with the hub, as two
 * `serve --workers` processes: a commit in one reaches the other's bus through the socket.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectWakeup, startWakeupHub, wakeupPath } from '../../../src/store/sqlite/wakeup.js';
import { openSqliteStore } from '../../../src/store/sqlite/index.js';
import type { Change } from '../../../src/store/types.js';
import { inboxId, rawMessage, seedAccount } from './fixtures.js';

/**
 * waits until `ok()`, failing with `what` after 3 s: before the watcher's fallback poll (every
 * 5 s while the socket is connected) could deliver what the socket did not
 */
async function until(ok: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!ok()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** a bare hub client that records the bytes it is sent */
function rawPeer(path: string): { sock: net.Socket; got: () => string } {
  const sock = net.connect(path);
  let got = '';
  sock.setEncoding('latin1');
  sock.on('data', (d: string) => (got += d));
  return { sock, got: () => got };
}

describe('sqlite wake-up socket', () => {
  it('passes commits only to listening processes and says whether another one listens', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'letterbox-wake-'));
    const hub = await startWakeupHub(dir);
    assert.ok(hub);
    const raw = rawPeer(wakeupPath(dir)!);
    let woken = 0;
    const b = connectWakeup(dir, () => woken++);
    try {
      await until(() => raw.got() === 'n', 'the first "nobody else listens"');
      await until(() => b.connected, 'the client to connect');
      b.listen(true);
      await until(() => raw.got() === 'ny', '"y" once the client listens');
      raw.sock.write('w');
      await until(() => woken === 1, 'the listening client to be woken');
      // the raw peer does not listen: the client's commit is not passed on to it (its next byte is the "n")
      b.committed();
      await new Promise((r) => setImmediate(r));
      b.listen(false);
      await until(() => raw.got() === 'nyn', '"n" once the client stopped listening');
      // the raw peer starts listening: the client hears "y" and sends one wake-up for whatever it committed meanwhile
      raw.sock.write('+');
      await until(() => raw.got() === 'nynw', 'the catch-up wake-up on "y"');
      b.committed();
      await until(() => raw.got() === 'nynww', "the client's next commit");
      assert.equal(woken, 1);
    } finally {
      raw.sock.destroy();
      await b.close();
      await hub.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("two stores with the hub: one's commit reaches the other's subscribers through the socket", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'letterbox-wake-'));
    const hub = await startWakeupHub(dir);
    const a = await openSqliteStore(dir);
    const b = await openSqliteStore(dir);
    try {
      const acct = await seedAccount(a);
      const inbox = await inboxId(a, acct.id);
      const got: Change[] = [];
      const unsub = b.bus.subscribe(acct.id, (c) => got.push(...c));
      try {
        // twice: before and after the writer heard that b listens
        for (const subject of ['one', 'two']) {
          const n = got.length;
          const r = await a.append(acct.id, inbox, { raw: rawMessage({ subject }) });
          await until(() => got.length > n, `the change of APPEND "${subject}" on the other store's bus`);
          const c = got[got.length - 1]!;
          assert.equal(c.kind, 'exists');
          assert.equal(c.kind === 'exists' && c.uid, r.uid);
        }
      } finally {
        unsub();
      }
    } finally {
      await b.close();
      await a.close();
      await hub?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
