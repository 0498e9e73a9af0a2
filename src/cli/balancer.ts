/**
 * The primary of `serve --workers N` (./cluster.ts) binds every enabled listener itself and
 * hands each accepted connection, unread (pauseOnConnect), to the ready worker with the
 * fewest open connections, ties in turn (src/net/handoff.ts says why not node:cluster's
 * round robin). Connections accepted before every worker forked at start is ready wait,
 * then are spread over them all.
 */
import * as net from 'node:net';
import type { Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { leastLoaded, type BoundListener, type HandedConnection } from '../net/handoff.js';
import { CliError } from './common.js';
import { LISTENER_ORDER, listenErrorMessage, type StartedListener } from './server.js';

export interface Balancer {
  /** what the primary listens on, in the banner's order */
  readonly listeners: StartedListener[];
  /** the same by name, for the workers (src/net/handoff.ts workerConnections) */
  readonly bound: Record<string, BoundListener>;
  /** `w` serves connections from now on (once start() was called) */
  ready(w: Worker): void;
  /**
   * every worker forked at start is ready: connections accepted meanwhile are handed out now,
   * spread over all of them, and from now on as they come
   */
  start(): void;
  /** `w` is gone (exited) or stopping: nothing more is handed to it */
  gone(w: Worker): void;
  /** `w` says `n` of the connections handed to it closed */
  closed(w: Worker, n: number): void;
  /** open connections per ready worker, in the order they became ready (tests, logs) */
  open(): number[];
  /** stops accepting; connections not yet handed over are closed */
  close(): void;
}

/** Binds every enabled listener; throws CliError (the operator message of server.ts) when one cannot listen. */
export async function startBalancer(config: Config, log: Logger): Promise<Balancer> {
  const servers: net.Server[] = [];
  const listeners: StartedListener[] = [];
  const bound: Record<string, BoundListener> = {};
  /** ready workers and their open connections */
  const workers: Worker[] = [];
  const counts = new Map<Worker, number>();
  let next = 0;
  const waiting: Array<{ name: string; socket: net.Socket }> = [];
  let closing = false;
  let started = false;

  function hand(name: string, socket: net.Socket): void {
    if (closing) return void socket.destroy();
    const i = !started ? -1 : leastLoaded(
      workers.map((w) => counts.get(w)!),
      next,
    );
    if (i < 0) return void waiting.push({ name, socket });
    const w = workers[i]!;
    next = (i + 1) % workers.length;
    counts.set(w, counts.get(w)! + 1);
    const lost = () => {
      if (counts.has(w)) counts.set(w, Math.max(0, counts.get(w)! - 1));
      socket.destroy();
    };
    try {
      w.send({ t: 'conn', listener: name } satisfies HandedConnection, socket, (err: Error | null) => {
        if (err) {
          log.debug({ err: err.message, pid: w.process.pid }, `${name}: handing a connection to worker ${w.process.pid} failed`);
          lost();
        }
      });
    } catch (err) {
      log.debug({ err: (err as Error).message, pid: w.process.pid }, `${name}: handing a connection to worker ${w.process.pid} failed`);
      lost();
    }
  }

  try {
    for (const name of LISTENER_ORDER) {
      const l = config.listeners[name];
      if (!l.enabled) continue;
      const server = net.createServer({ pauseOnConnect: true });
      server.on('connection', (socket: net.Socket) => {
        // not read here: a reset while it waits for a worker must not end the primary
        socket.on('error', () => socket.destroy());
        hand(name, socket);
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', (e) => reject(new CliError(listenErrorMessage(name, l.address, l.port, e))));
        server.listen(l.port, l.address, () => resolve());
      });
      server.on('error', (err) => log.error({ err }, `${name} listener error: ${err.message}`));
      servers.push(server);
      const a = server.address() as net.AddressInfo;
      bound[name] = { address: a.address, port: a.port };
      listeners.push({ name, address: a.address, port: a.port, tls: l.tls });
    }
  } catch (e) {
    for (const s of servers) s.close();
    throw e;
  }

  return {
    listeners,
    bound,
    ready(w) {
      if (counts.has(w) || closing) return;
      counts.set(w, 0);
      workers.push(w);
      if (started) for (const c of waiting.splice(0)) hand(c.name, c.socket);
    },
    start() {
      started = true;
      for (const c of waiting.splice(0)) hand(c.name, c.socket);
    },
    gone(w) {
      const i = workers.indexOf(w);
      if (i < 0) return;
      workers.splice(i, 1);
      counts.delete(w);
      next = workers.length ? next % workers.length : 0;
    },
    closed(w, n) {
      const c = counts.get(w);
      if (c !== undefined) counts.set(w, Math.max(0, c - n));
    },
    open: () => workers.map((w) => counts.get(w)!),
    close() {
      closing = true;
      for (const c of waiting.splice(0)) c.socket.destroy();
      // the listening sockets close now; close()'s callback would wait for every connection
      // handed to a worker (node tracks them across processes), which the workers close
      for (const s of servers) s.close();
    },
  };
}
