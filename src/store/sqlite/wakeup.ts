/**
 * The change feed between processes on one SQLite file (`serve --workers N`, the admin CLI
 * while the server runs). The change log in the database (watcher.ts) stays the one durable,
 * ordered record of what changed; this unix socket in the data directory only says *when*:
 * `letterbox serve` (the cluster primary) runs the hub, every process with the store open
 * connects to it, writes one byte after each of its commits, and the hub passes the byte
 * on to every other process, which then reads the new change-log rows at once. So an IDLE
 * session sees another process's commit within milliseconds, with no polling; while no hub
 * is reachable (no server running) the watcher falls back to polling.
 */
import * as net from 'node:net';
import { existsSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';

export const WAKEUP_SOCKET = 'letterbox.sock';
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
  const peers = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    peers.add(sock);
    sock.on('data', () => {
      for (const p of peers) if (p !== sock && p.writable) p.write('w');
    });
    sock.on('error', () => sock.destroy());
    sock.on('close', () => peers.delete(sock));
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
        for (const p of peers) p.destroy();
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
  /** tell the others that this process committed (coalesced per tick) */
  committed(): void;
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

  const flush = () => {
    if (!pending || !sock || !connected) return;
    pending = false;
    sock.write('w');
  };
  const connect = () => {
    if (!path || sock || closed || !existsSync(path)) return;
    const s = net.connect(path);
    sock = s;
    s.unref();
    s.on('connect', () => {
      connected = true;
      flush();
    });
    s.on('data', () => onWake());
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
