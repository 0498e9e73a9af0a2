/**
 * IDLE connections for the memory-per-connection figure: opened in batches of 100, each
 * LOGIN (+ COMPRESS DEFLATE when asked), SELECT INBOX, IDLE. Used by the bench itself and by
 * its IDLE shard processes (./idle-shard.ts), which hold the connections above one process's
 * open-file limit.
 */
import { RawImap } from './imap-client.js';

export interface IdleSpec {
  port: number;
  user: string;
  password: string;
  compress: boolean;
  /** all connections of the run (decides the spread over source addresses) */
  total: number;
}

/** client addresses: one source address per 20,000 connections of the run (ephemeral ports run out near 28,000) */
function clientAddress(i: number, total: number): string | undefined {
  const spread = Math.ceil(total / 20_000);
  return spread > 1 ? `127.0.0.${2 + (i % spread)}` : undefined;
}

/** connections number `from` … `from + count - 1` of the run */
export async function openIdle(spec: IdleSpec, from: number, count: number): Promise<{ conns: RawImap[]; failed: number }> {
  const conns: RawImap[] = [];
  let failed = 0;
  for (let i = from; i < from + count; i += 100) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(100, from + count - i) }, async (_, j) => {
        try {
          const c = await RawImap.connect(spec.port, '127.0.0.1', clientAddress(i + j, spec.total));
          await c.login(spec.user, spec.password);
          if (spec.compress && !(await c.compress())) throw new Error('COMPRESS DEFLATE refused');
          const r = await c.cmd('SELECT INBOX');
          if (r.status !== 'OK') throw new Error(`SELECT: ${r.status} ${r.text}`);
          await c.idle();
          return c;
        } catch {
          failed++;
          return null;
        }
      }),
    );
    for (const c of batch) if (c) conns.push(c);
  }
  return { conns, failed };
}

/** the wall-clock time (ms since the epoch, sub-millisecond) each connection sees its next "* n EXISTS", into `seenAt` */
export function watchExists(conns: RawImap[], seenAt: number[]): void {
  for (const c of conns) {
    c.onUntagged = (line) => {
      if (!/^\* \d+ EXISTS/.test(line)) return;
      seenAt.push(performance.timeOrigin + performance.now());
      c.onUntagged = null;
    };
  }
}

/** waits until `seenAt` holds `want` entries or the deadline (ms since the epoch) passes */
export async function waitSeen(seenAt: number[], want: number, deadline: number): Promise<void> {
  while (seenAt.length < want && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}
