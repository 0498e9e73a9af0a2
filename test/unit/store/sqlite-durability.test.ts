/**
 * Acknowledged means durable: a child process appends and prints each UID after its
 * promise resolved; it is SIGKILLed right after some acks; reopening the store must find
 * every acknowledged message byte-exact. Runs under tsx (.ts) and compiled (.js).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSqliteStore } from '../../../src/store/sqlite/index.js';
import { durableMessage } from './durability-fixture.js';

const here = fileURLToPath(import.meta.url);
const isTs = here.endsWith('.ts');
const child = join(dirname(here), isTs ? 'durability-child.ts' : 'durability-child.js');

function runAndKill(dir: string, acksWanted: number): Promise<Map<number, number>> {
  return new Promise((resolve, reject) => {
    const args = isTs ? ['--import', 'tsx', child, dir] : [child, dir];
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const acks = new Map<number, number>();
    let buf = '';
    let stderr = '';
    let killed = false;
    p.stdout.setEncoding('utf8');
    p.stdout.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const m = /^ack (\d+) (\d+)$/.exec(line);
        if (m) acks.set(Number(m[1]), Number(m[2]));
      }
      if (!killed && acks.size >= acksWanted) {
        killed = true;
        p.kill('SIGKILL');
      }
    });
    p.stderr.on('data', (d) => (stderr += String(d)));
    p.on('error', reject);
    p.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acks);
      else reject(new Error(`child exited (${code}) before being killed: ${stderr}`));
    });
  });
}

describe('sqlite durability', () => {
  it('every acknowledged append survives SIGKILL, byte-exact', { skip: !existsSync(child) && `missing ${child}` }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'letterbox-durable-'));
    try {
      const acks = await runAndKill(dir, 300);
      assert.ok(acks.size >= 300, `got ${acks.size} acks`);
      const store = await openSqliteStore(dir);
      try {
        const account = (await store.getAccount('d@example.test'))!;
        const inbox = (await store.getMailbox(account.id, 'INBOX'))!;
        const seen = new Set<number>();
        for (const [n, uid] of acks) {
          assert.ok(!seen.has(uid), `uid ${uid} acknowledged twice`);
          seen.add(uid);
          const raw = await store.getRaw(account.id, inbox.id, uid);
          assert.ok(raw.equals(durableMessage(n)), `message ${n} (uid ${uid}) differs after the crash`);
        }
        const status = await store.mailboxStatus(account.id, inbox.id);
        assert.ok(status.messages >= acks.size);
        // the store keeps working after the crash: UIDs continue ascending
        const r = await store.append(account.id, inbox.id, { raw: durableMessage(1) });
        assert.ok(r.uid > Math.max(...seen));
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
