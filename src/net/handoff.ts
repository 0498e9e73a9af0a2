/**
 * `serve --workers N`: who accepts the connections. The primary process binds every listener
 * and hands each accepted connection to the worker with the fewest open connections (ties
 * in turn): src/cli/balancer.ts. A worker's listeners do not bind: they take the sockets
 * the primary hands them (`attach`), and the worker tells the primary when its connections
 * close, so the primary's counts stay current.
 *
 * Why not node:cluster's round robin: it gives the next waiting connection to whichever
 * worker acknowledged its last one first, so connections opened at once piled up on one
 * worker (4 at once: 3/1 half of the time; 8 at once: up to 8/0, measured with `ss`), and
 * that worker's core bounded the whole (POP3 RETR by 4 clients, the mixed IMAP load).
 */
import type * as net from 'node:net';

/** a listener the primary bound: where it listens */
export interface BoundListener {
  address: string;
  port: number;
}

/** the worker's side of the hand-off (ServerContext.handoff) */
export interface ConnectionSource {
  /**
   * `server` gets, as 'connection' events, the connections the primary accepted for
   * listener `name`, instead of listening itself; returns where the primary listens, or null
   * when the primary does not listen for `name` (the caller listens itself).
   * `noDelay`: set on each socket, as net.createServer({ noDelay }) does for its own.
   */
  attach(name: string, server: net.Server, opts?: { noDelay?: boolean }): BoundListener | null;
}

/** a connection handed from the primary: { t: 'conn', listener } with the socket as the handle */
export interface HandedConnection {
  t: 'conn';
  listener: string;
}

/** the worker tells the primary how many handed connections closed since it last said */
export interface ClosedConnections {
  t: 'closed';
  n: number;
}

export interface WorkerConnections extends ConnectionSource {
  /** a socket the primary handed over for `listener` (destroyed when nothing serves it) */
  deliver(listener: string, socket: net.Socket): void;
}

/**
 * The worker's end. `bound`: the primary's listeners by name; `report`: sends the count of
 * closed connections to the primary (called at most once per event-loop turn).
 */
export function workerConnections(bound: Record<string, BoundListener>, report: (m: ClosedConnections) => void): WorkerConnections {
  const servers = new Map<string, { server: net.Server; noDelay: boolean }>();
  let closed = 0;
  const flush = () => {
    const n = closed;
    closed = 0;
    if (n > 0) report({ t: 'closed', n });
  };
  const onClose = () => {
    if (closed++ === 0) setImmediate(flush);
  };
  return {
    attach(name, server, opts) {
      const b = bound[name];
      if (!b) return null;
      const entry = { server, noDelay: opts?.noDelay === true };
      servers.set(name, entry);
      // a non-listening server emits 'close' right after close(): nothing is delivered to it after that
      server.once('close', () => {
        if (servers.get(name) === entry) servers.delete(name);
      });
      return { ...b };
    },
    deliver(listener, socket) {
      socket.once('close', onClose);
      const s = servers.get(listener);
      if (!s) {
        socket.destroy();
        return;
      }
      if (s.noDelay) socket.setNoDelay(true);
      s.server.emit('connection', socket);
    },
  };
}

/**
 * The worker to hand the next connection to: the fewest open connections; among equals the
 * first at or after `from` (the primary advances `from` past each choice, so ties go in turn).
 * -1 when `open` is empty.
 */
export function leastLoaded(open: readonly number[], from: number): number {
  let best = -1;
  for (let k = 0; k < open.length; k++) {
    const i = (from + k) % open.length;
    if (best < 0 || open[i]! < open[best]!) best = i;
  }
  return best;
}
