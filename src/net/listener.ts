/**
 * TCP listeners for IMAP, POP3 and the like (contract: ./types.ts).
 *
 * Every listener is a plain net.Server; implicit-TLS listeners run the handshake through
 * TlsProvider.upgrade, the same path STARTTLS takes. That way the per-IP limit is applied
 * before any TLS work, a handshake that never finishes times out, and failed handshakes
 * are logged instead of thrown.
 *
 * Invariants:
 *  - every accepted socket has an 'error' listener (ECONNRESET, EPIPE… are logged at debug);
 *  - `connections` holds the raw TCP sockets of connections handed to the handler; destroying
 *    a raw socket also ends the TLS socket layered on it;
 *  - connections over opts.maxConnectionsPerIp, or over opts.maxConnections on the listener,
 *    go to opts.onReject (plain listeners) or are closed at once (implicit TLS), and are logged.
 */
import * as net from 'node:net';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { ConnectionHandler, ConnectionInfo, ListenerOptions, RunningListener, TlsProvider } from './types.js';
import { clientKey, normaliseIp } from './address.js';
import { promptAcker } from './quickack.js';

const processTag = randomBytes(2).toString('hex');
let connectionCounter = 0;
/** short id unique within the process, for correlating log lines */
export const nextConnectionId = (): string => `${processTag}${(++connectionCounter).toString(36)}`;

/** a rejected client gets this long to read the error before the socket is destroyed */
const REJECT_LINGER_MS = 5000;

export function listen(
  opts: ListenerOptions,
  tlsProvider: TlsProvider,
  handler: ConnectionHandler,
  log: Logger,
): Promise<RunningListener> {
  const llog = log.child({ listener: opts.name });
  const connections = new Set<net.Socket>();
  const perIp = new Map<string, number>();
  const server = net.createServer({ noDelay: true });

  const release = (ip: string) => {
    const n = (perIp.get(ip) ?? 1) - 1;
    if (n <= 0) perIp.delete(ip);
    else perIp.set(ip, n);
  };

  function start(socket: net.Socket, info: ConnectionInfo): void {
    try {
      handler(socket, info);
    } catch (err) {
      llog.error({ conn: info.id, err }, `${opts.name} connection handler failed; closing the connection`);
      socket.destroy();
    }
  }

  server.on('connection', (raw: net.Socket) => {
    const ip = normaliseIp(raw.remoteAddress);
    const id = nextConnectionId();
    raw.on('error', (err: NodeJS.ErrnoException) =>
      llog.debug({ conn: id, ip, code: err.code }, `socket error on ${opts.name} connection from ${ip}: ${err.message}`),
    );
    if (raw.remoteAddress === undefined) {
      raw.destroy(); // already gone
      return;
    }
    const key = clientKey(ip, opts.ipv6PrefixLength);
    const count = perIp.get(key) ?? 0;
    const full = opts.maxConnections !== undefined && connections.size >= opts.maxConnections;
    if (count >= opts.maxConnectionsPerIp || full) {
      const reason = full
        ? `too many connections on this port (limit ${opts.maxConnections}), try again later`
        : `too many connections from ${key === ip ? ip : `${ip} (counted as ${key})`} (limit ${opts.maxConnectionsPerIp})`;
      const setting = full ? 'limits.connections_per_listener' : 'limits.connections_per_ip';
      llog.warn({ conn: id, ip, limit: full ? opts.maxConnections : opts.maxConnectionsPerIp }, `${opts.name}: refused connection: ${reason}; see ${setting}`);
      if (opts.tls !== 'implicit' && opts.onReject) {
        setTimeout(() => raw.destroy(), REJECT_LINGER_MS).unref();
        try {
          opts.onReject(raw, reason);
        } catch {
          raw.destroy();
        }
      } else {
        raw.destroy();
      }
      return;
    }
    perIp.set(key, count + 1);
    connections.add(raw);
    raw.once('close', () => {
      connections.delete(raw);
      release(key);
      llog.debug({ conn: id, ip }, `${opts.name} connection from ${ip} closed`);
    });
    const info: ConnectionInfo = {
      listener: opts.name,
      secure: opts.tls === 'implicit',
      startTls: opts.tls === 'starttls',
      remoteAddress: ip,
      remotePort: raw.remotePort ?? 0,
      id,
      ackNow: promptAcker(raw),
    };
    llog.debug({ conn: id, ip, port: info.remotePort }, `${opts.name} connection from ${ip}`);
    if (opts.tls !== 'implicit') {
      start(raw, info);
      return;
    }
    tlsProvider.upgrade(raw).then(
      (secure) => {
        secure.on('error', (err: NodeJS.ErrnoException) =>
          llog.debug({ conn: id, ip, code: err.code }, `TLS socket error on ${opts.name} connection from ${ip}: ${err.message}`),
        );
        start(secure, info);
      },
      (err: Error) => {
        // a peer that just disconnects (port scans, health checks) is routine; a TLS error is worth seeing
        const level = raw.destroyed && /closed during/.test(err.message) ? 'debug' : 'info';
        llog[level]({ conn: id, ip, err: err.message }, `${opts.name}: TLS handshake with ${ip} failed: ${err.message}`);
        raw.destroy();
      },
    );
  });

  const running = (address: string, port: number): RunningListener => {
    let closing: Promise<void> | undefined;
    return {
      name: opts.name,
      address,
      port,
      connections,
      close(graceMs = 10_000) {
        closing ??= closeServer(server, connections, graceMs, llog, opts.name);
        return closing;
      },
    };
  };
  // a worker of `serve --workers N`: the primary listens and hands the connections over
  const handed = opts.source?.attach(opts.name, server, { noDelay: true });
  if (handed) return Promise.resolve(running(handed.address, handed.port));

  return new Promise((resolve, reject) => {
    const onListenError = (err: NodeJS.ErrnoException) => {
      const hint =
        err.code === 'EADDRINUSE'
          ? 'another process uses this port'
          : err.code === 'EACCES'
            ? 'ports below 1024 need privileges (run as root, or grant CAP_NET_BIND_SERVICE)'
            : 'check the address';
      reject(new Error(`cannot listen on ${opts.address}:${opts.port} for listeners.${opts.name}: ${err.code ?? err.message} — ${hint}`));
    };
    server.once('error', onListenError);
    server.listen(opts.port, opts.address, () => {
      server.off('error', onListenError);
      server.on('error', (err) => llog.error({ err }, `${opts.name} listener error: ${err.message}`));
      const address = server.address() as net.AddressInfo;
      llog.info({ address: address.address, port: address.port, tls: opts.tls }, `${opts.name} listening on ${address.address}:${address.port} (tls: ${opts.tls})`);
      resolve(running(address.address, address.port));
    });
  });
}

async function closeServer(server: net.Server, connections: Set<net.Socket>, graceMs: number, log: Logger, name: string) {
  const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
  if (connections.size > 0) {
    const drained = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), graceMs);
      const check = () => {
        if (connections.size === 0) {
          clearTimeout(timer);
          resolve(true);
        }
      };
      for (const s of connections) s.once('close', () => setImmediate(check));
      check();
    });
    if (!(await drained)) {
      log.info({ open: connections.size }, `${name}: closing ${connections.size} connection(s) still open after ${graceMs} ms`);
      const gone = [...connections].map((s) => new Promise<void>((resolve) => (s.closed ? resolve() : s.once('close', () => resolve()))));
      for (const s of connections) s.destroy();
      await Promise.all(gone);
    }
  }
  await stopped;
  log.info(`${name} listener closed`);
}
