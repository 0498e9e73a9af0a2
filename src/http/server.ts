/**
 * The HTTP listeners (http: plain, https: implicit TLS with the server's certificates). What
 * they answer is the hono app of ./app.ts: client autoconfiguration, /metrics, ACME
 * challenges and the web pages (src/web).
 *
 * Connections come through the shared listener (src/net/listener.ts: per-IP limit, optional
 * implicit TLS, graceful close) and are handed to a node:http server that never listens itself.
 * This file owns the connection-level limits: header size, the request deadline, keep-alive.
 */
import * as http from 'node:http';
import type * as net from 'node:net';
import type { ServerContext } from '../context.js';
import type { TlsMode } from '../config/schema.js';
import type { RunningListener } from '../net/types.js';
import { listen } from '../net/listener.js';
import { getRequestListener } from '@hono/node-server';
import type { WebServices } from '../web/kit/types.js';
import { createHttpApp } from './app.js';

export { MAX_BODY_BYTES } from './app.js';

/**
 * A request must be complete (headers and body) and answered within this time of the
 * connection or the previous response, or the connection is closed. node's own
 * headersTimeout/requestTimeout only run for servers that listen themselves, and the idle
 * timeout alone lets a client trickle one byte every few seconds forever (slowloris).
 */
export const REQUEST_TIMEOUT_MS = 30_000;

export interface HttpOptions {
  /** overrides REQUEST_TIMEOUT_MS (tests) */
  requestTimeoutMs?: number;
  /** what the web pages and /metrics need from the running server */
  services?: WebServices;
  /** listener name for logs and metrics (default "http", or "https" for implicit TLS) */
  name?: string;
}

export async function startHttp(
  ctx: ServerContext,
  listener: { address: string; port: number; tls: TlsMode },
  opts: HttpOptions = {},
): Promise<RunningListener> {
  const log = ctx.log.child({ proto: 'http' });
  let closing = false;
  const inflight = new Map<net.Socket, number>();
  const requestTimeoutMs = opts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const deadlines = new Map<net.Socket, NodeJS.Timeout>();
  const armDeadline = (socket: net.Socket) => {
    clearTimeout(deadlines.get(socket));
    const timer = setTimeout(() => {
      log.debug({ ip: socket.remoteAddress }, `http request not complete within ${requestTimeoutMs} ms; closing the connection`);
      socket.destroy();
    }, requestTimeoutMs);
    timer.unref();
    deadlines.set(socket, timer);
  };

  const secure = listener.tls === 'implicit';
  const name = opts.name ?? (secure ? 'https' : 'http');
  const app = createHttpApp(ctx, opts.services ?? {}, secure);
  const handle = getRequestListener(app.fetch, {
    errorHandler: (err) => {
      log.error({ err }, 'http request failed');
      return new Response('internal error\n', { status: 500, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
    },
  });
  const server = http.createServer({ maxHeaderSize: 16 * 1024 }, (req, res) => {
    const socket = req.socket;
    inflight.set(socket, (inflight.get(socket) ?? 0) + 1);
    res.on('close', () => {
      const n = (inflight.get(socket) ?? 1) - 1;
      inflight.set(socket, n);
      if (deadlines.has(socket)) armDeadline(socket); // the next request on this connection gets a fresh deadline
      if (closing && n === 0) socket.end();
    });
    res.on('finish', () => log.debug({ method: req.method, path: (req.url ?? '').split('?')[0], status: res.statusCode, ip: socket.remoteAddress }, 'http request'));
    if (closing) res.setHeader('Connection', 'close');
    const started = performance.now();
    void handle(req, res).finally(() => ctx.metrics?.command('http', req.method === 'POST' ? 'POST' : 'GET', `${Math.floor(res.statusCode / 100)}xx`, (performance.now() - started) / 1000));
  });
  // the server never listens, so socket-level timeouts stand in for its own request timers
  server.timeout = 30_000;
  server.keepAliveTimeout = 5_000;
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    log.debug({ code: err.code }, `bad HTTP request: ${err.message}`);
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  if (listener.tls === 'starttls') {
    log.warn('listeners.http.tls = "starttls" has no meaning for HTTP; serving plain HTTP (use "implicit" for HTTPS)');
  }
  const running = await listen(
    {
      name,
      address: listener.address,
      port: listener.port,
      tls: listener.tls === 'implicit' ? 'implicit' : 'none',
      maxConnectionsPerIp: ctx.config.limits.connections_per_ip,
      onReject: (s) => s.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'),
      source: ctx.handoff,
    },
    ctx.tls,
    (socket) => {
      inflight.set(socket, 0);
      armDeadline(socket);
      const closed = ctx.metrics?.connection('http');
      if (closed) socket.once('close', closed);
      socket.once('close', () => {
        inflight.delete(socket);
        clearTimeout(deadlines.get(socket));
        deadlines.delete(socket);
      });
      server.emit('connection', socket);
    },
    ctx.log,
  );

  return {
    name: running.name,
    address: running.address,
    port: running.port,
    connections: running.connections,
    close(graceMs?: number) {
      closing = true;
      // idle keep-alive connections go now; busy ones after their response
      for (const [socket, n] of inflight) if (n === 0) socket.end();
      return running.close(graceMs);
    },
  };
}
