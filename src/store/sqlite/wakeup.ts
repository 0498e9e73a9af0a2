/**
 * The change feed between processes on one SQLite file (`serve --workers N`, the admin CLI
 * while the server runs). The change log in the database (watcher.ts) stays the one durable,
 * ordered record of what changed; this unix socket in the data directory only says *when*:
 * `letterbox serve` (the cluster primary) runs the hub, every process with the store open
 * connects to it, writes one byte after each of its commits, and the hub passes the byte
 * on to every other process that listens, which then reads the new change-log rows at once.
 * So an IDLE session sees another process's commit within milliseconds, with no polling;
 * while no hub is reachable (no server running) the watcher falls back to polling.
 *
 * Bytes on the socket, one per event:
 * - to the hub: `w` committed; `+` this process has subscribers on its bus now (listens);
 *   `-` it has none any more.
 * - from the hub: `w` another process committed; `y` / `n` some / no other process listens.
 *   A process hears `w` only while it listens, and writes `w` only while another does (or
 *   before the hub said): on this 2-core VM each wake-up passed on cost the hub and the woken
 *   process about 0.1 and 0.2 ms of CPU, per commit of every single-connection client. When
 *   a process starts listening, a commit elsewhere may have skipped its `w` before the
 *   writer heard `y`: every writer sends one `w` on hearing `y`, so the new listener reads
 *   those rows at once (rows from before it listened it skips anyway, watcher.ts).
 */
import * as net from 'node:net';
import { existsSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';

export const WAKEUP_SOCKET = 'letterbox.sock';
const W = 0x77; // 'w'
const LISTEN = 0x2b; // '+'
const QUIET = 0x2d; // '-'
const YES = 0x79; // 'y'
const NO = 0x6e; // 'n'
/** Linux allows 107 bytes in a unix socket path */
const MAX_PATH = 100;

export function wakeupPath(dataDir: string): string | null {
  const p = join(dataDir, WAKEUP_SOCKET);
  return Buffer.byteLength(p) <= MAX_PATH ? p : null;
}

export interface WakeupHub {
  close(): Promise<void>;
}

/** Starts the hub (serve); a stale socket left by a killed server is replaced. */
export async function startWakeupHub(dataDir: string, log?: Logger): Promise<WakeupHub | null> {
  const path = wakeupPath(dataDir);
  if (!path) {
    log?.warn(`the data directory path is too long for a unix socket; processes sharing the store notice each other's commits by polling (${dataDir})`);
    return null;
  }
  /** connected processes: whether each listens, and what it was last told about the others (y/n) */
  const peers = new Map<net.Socket, { listening: boolean; told: boolean | null }>();
  /** tells each process whether another one listens, when that changed */
  const tell = () => {
    let listeners = 0;
    for (const st of peers.values()) if (st.listening) listeners++;
    for (const [p, st] of peers) {
      const others = listeners - (st.listening ? 1 : 0) > 0;
      if (st.told === others || !p.writable) continue;
      st.told = others;
      p.write(others ? 'y' : 'n');
    }
  };
  const server = net.createServer((sock) => {
    const me = { listening: false, told: null as boolean | null };
    peers.set(sock, me);
    tell();
    sock.on('data', (d: Buffer) => {
      let wake = false;
      const was = me.listening;
      for (const b of d) {
        if (b === W) wake = true;
        else if (b === LISTEN) me.listening = true;
        else if (b === QUIET) me.listening = false;
      }
      if (was !== me.listening) tell();
      if (wake) for (const [p, st] of peers) if (p !== sock && st.listening && p.writable) p.write('w');
    });
    sock.on('error', () => sock.destroy());
    sock.on('close', () => {
      peers.delete(sock);
      tell();
    });
  });
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
  try {
    await listen();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    // another server on this data directory answers, or the socket is stale
    if (await answers(path)) {
      log?.warn(`another letterbox process already serves ${dataDir}; sharing its change feed`);
      return null;
    }
    unlinkSync(path);
    await listen();
  }
  server.unref();
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const p of peers.keys()) p.destroy();
        server.close(() => resolve());
      }),
  };
}

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export interface WakeupClient {
  /** true while connected to a hub */
  readonly connected: boolean;
  /** tell the others that this process committed (coalesced per tick; not sent while the hub says nobody else listens) */
  committed(): void;
  /** whether this process wants to hear the others' commits (it has subscribers) */
  listen(on: boolean): void;
  /** connect now if a hub appeared (called while the process has listeners) */
  retry(): void;
  close(): Promise<void>;
}

export function connectWakeup(dataDir: string, onWake: () => void): WakeupClient {
  const path = wakeupPath(dataDir);
  let sock: net.Socket | null = null;
  let connected = false;
  let pending = false;
  let closed = false;
  let listening = false;
  /** another process listens; true until the hub says otherwise */
  let othersListen = true;

  const flush = () => {
    if (!pending || !sock || !connected) return;
    pending = false;
    if (othersListen) sock.write('w');
  };
  const connect = () => {
    if (!path || sock || closed || !existsSync(path)) return;
    const s = net.connect(path);
    sock = s;
    othersListen = true;
    s.unref();
    s.on('connect', () => {
      connected = true;
      if (listening) s.write('+');
      flush();
    });
    s.on('data', (d: Buffer) => {
      let wake = false;
      for (const b of d) {
        if (b === W) wake = true;
        else if (b === YES) {
          // someone started listening: whatever this process committed since it may have
          // skipped telling (while "n") is read by the listener now
          if (!othersListen && connected) s.write('w');
          othersListen = true;
        } else if (b === NO) othersListen = false;
      }
      if (wake) onWake();
    });
    s.on('error', () => s.destroy());
    s.on('close', () => {
      if (sock === s) sock = null;
      connected = false;
    });
  };
  connect();
  return {
    get connected() {
      return connected;
    },
    committed() {
      if (pending) return;
      pending = true;
      if (connected) setImmediate(flush);
    },
    listen(on) {
      if (on === listening) return;
      listening = on;
      if (connected && sock) sock.write(on ? '+' : '-');
    },
    retry: connect,
    async close() {
      closed = true;
      const s = sock;
      if (!s) return;
      s.ref(); // the process must not end while the last wake-up is on its way
      if (!connected && !s.destroyed)
        await new Promise<void>((resolve) => {
          s.once('connect', () => resolve());
          s.once('close', () => resolve());
          setTimeout(resolve, 500).unref();
        });
      flush();
      await new Promise<void>((resolve) => {
        s.once('close', () => resolve());
        s.end();
        setTimeout(() => {
          s.destroy();
          resolve();
        }, 500).unref();
      });
    },
  };
}
