/**
 * Store micro-benchmark: N appends into one mailbox of a fresh SQLite store (group commit
 * with many appends in flight), then SELECT-style snapshot/status and SEARCH timings.
 *
 *   npx tsx bench/store-append.ts [--messages 100000] [--inflight 64] [--workers 0] [--preindexed] [--append-only]
 *   (compiled: node dist/bench/store-append.js)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { splitMbox } from '../src/mime/mbox.js';
import { indexMessage } from '../src/mime/index.js';
import { openSqliteStore, sqliteStoreStats } from '../src/store/sqlite/index.js';

const args = process.argv.slice(2);
const opt = (name: string, def: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const total = opt('--messages', 100_000);
const inflight = opt('--inflight', 64);
// ../shared beside the repository root (run from the root, as npm scripts do)
const msgs = splitMbox(readFileSync('../shared/corpus/sample.mbox'));
// --preindexed: pass the MIME index in (as SMTP delivery to many recipients does) to time the store alone
const indexes = args.includes('--preindexed') ? msgs.map((m) => indexMessage(m)) : null;
const dir = mkdtempSync(join(process.env.BENCH_TMP ?? tmpdir(), 'letterbox-bench-store-'));
const store = await openSqliteStore(dir, { parseWorkers: opt('--workers', 0) });
async function main(): Promise<void> {
  await store.addDomain('bench.test');
  const a = await store.createAccount('bench@bench.test', 'x');
  const inbox = (await store.getMailbox(a.id, 'INBOX'))!.id;
  let next = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: inflight }, async () => {
      while (next < total) {
        const i = next++;
        await store.append(a.id, inbox, { raw: msgs[i % msgs.length]!, index: indexes?.[i % msgs.length] });
      }
    }),
  );
  const t1 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const s = sqliteStoreStats(store)!;
  console.log(`append: ${total} messages in ${((t1 - t0) / 1000).toFixed(1)} s = ${Math.round(total / ((t1 - t0) / 1000))}/s (${s.commits} commits, parsed ${s.parsedInWorkers} in workers + ${s.parsedInline} inline, ${Math.round(s.txMs)} ms inside transactions; CPU ${((cpu.user + cpu.system) / 1000 / total).toFixed(2)} ms/message)`);
  const time = async (label: string, fn: () => Promise<unknown>) => {
    const t = performance.now();
    const r = await fn();
    console.log(`${label}: ${(performance.now() - t).toFixed(0)} ms${Array.isArray(r) ? ` (${r.length} hits)` : ''}`);
  };
  if (args.includes('--append-only')) return;
  await time('snapshot', () => store.snapshot(a.id, inbox));
  await time('status', () => store.mailboxStatus(a.id, inbox));
  await time('search UNSEEN', () => store.search(a.id, inbox, { op: 'flag', flag: '\\Seen', set: false }));
  await time('search SUBJECT', () => store.search(a.id, inbox, { op: 'header', field: 'subject', value: 'meeting' }));
  await time('search BODY', () => store.search(a.id, inbox, { op: 'body', value: 'zebra' }));
  await time('search TEXT', () => store.search(a.id, inbox, { op: 'text', value: 'invoice' }));
  await time('store +FLAGS 1:*', () => store.storeFlags(a.id, inbox, [[1, Infinity]], 'add', ['\\Seen']));
  await time('fetch meta 1:*', () => store.getMessages(a.id, inbox, [[1, Infinity]]));
}
try {
  await main();
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
