/**
 * The HTTP listener: mail client autoconfiguration and a health check.
 *
 *   GET  /mail/config-v1.1.xml?emailaddress=…            Thunderbird (autoconfig.<domain>)
 *   GET  /.well-known/autoconfig/mail/config-v1.1.xml     Thunderbird (the mail domain)
 *   POST /autodiscover/autodiscover.xml                   Outlook (POX Autodiscover)
 *   GET  /apple/mobileconfig?email=…                      iOS / macOS configuration profile
 *   GET  /healthz                                         200 "ok"
 *
 * Connections come through the shared listener (src/net/listener.ts: per-IP limit, optional
 * implicit TLS, graceful close) and are handed to a node:http server that never listens itself.
 * Addresses whose domain is not hosted here get 404, so clients fall back to their own guesses.
 */
import * as http from 'node:http';
import type * as net from 'node:net';
import type { ServerContext } from '../context.js';
import type { TlsMode } from '../config/schema.js';
import type { RunningListener } from '../net/types.js';
import { listen } from '../net/listener.js';
import { mailSettings, parseAddress } from './mailsettings.js';
import { autoconfigXml } from './autoconfig.js';
import { autodiscoverXml, requestedAddress } from './autodiscover.js';
import { mobileconfig } from './mobileconfig.js';
import { mtaStsPolicyFor } from './mta-sts.js';

/** request bodies above this are refused with 413 (an Autodiscover request is a few hundred bytes) */
export const MAX_BODY_BYTES = 64 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

interface Reply {
  status?: number;
  type: string;
  body: string;
  headers?: Record<string, string>;
}

type Handler = (ctx: ServerContext, req: http.IncomingMessage, query: URLSearchParams) => Promise<Reply>;

const XML = 'application/xml; charset=utf-8';

/** the address's domain must be one we host; otherwise the client should look elsewhere */
async function hostedAddress(ctx: ServerContext, value: string | null, param: string) {
  const parsed = parseAddress(value);
  if (!parsed) throw new HttpError(400, `missing or malformed ${param} (expected local@domain)`);
  if (!(await ctx.store.getDomain(parsed.domain))) throw new HttpError(404, `${parsed.domain} is not a domain served here`);
  return parsed;
}

/** the mail domain a Thunderbird request is about: from emailaddress, else from the Host header */
async function autoconfigDomain(ctx: ServerContext, req: http.IncomingMessage, query: URLSearchParams): Promise<string> {
  const email = query.get('emailaddress');
  if (email !== null) return (await hostedAddress(ctx, email, 'emailaddress')).domain;
  const host = (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '').replace(/^autoconfig\./, '');
  return /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host) ? host : ctx.config.hostname;
}

const autoconfig: Handler = async (ctx, req, query) => ({
  type: XML,
  body: autoconfigXml(await autoconfigDomain(ctx, req, query), mailSettings(ctx.config)),
});

const autodiscover: Handler = async (ctx, req) => {
  const body = await readBody(req);
  const email = requestedAddress(body);
  if (email === null) throw new HttpError(400, 'expected a POX Autodiscover request with <EMailAddress>');
  const { address } = await hostedAddress(ctx, email, 'EMailAddress');
  return { type: XML, body: autodiscoverXml(address, mailSettings(ctx.config)) };
};

const apple: Handler = async (ctx, _req, query) => {
  const { address } = await hostedAddress(ctx, query.get('email'), 'email');
  const settings = mailSettings(ctx.config);
  const imap = settings.imap[0];
  if (!imap) throw new HttpError(404, 'no IMAP listener with TLS is enabled, so there is nothing to configure');
  return {
    type: 'application/x-apple-aspen-config; charset=utf-8',
    body: mobileconfig(ctx.config.hostname, address, imap, settings.smtp[0]),
    headers: { 'Content-Disposition': `attachment; filename="${address.replace(/[^A-Za-z0-9._@-]/g, '_')}.mobileconfig"` },
  };
};

const healthz: Handler = async () => ({ type: 'text/plain; charset=utf-8', body: 'ok' });

/** path (lower-cased) → allowed methods → handler */
const mtaSts: Handler = async (ctx, req) => {
  const text = await mtaStsPolicyFor(ctx, req.headers.host);
  if (text === null) throw new HttpError(404, 'no MTA-STS policy for this host (expected mta-sts.<a domain hosted here>)');
  return { type: 'text/plain; charset=utf-8', body: text };
};

const ROUTES: Record<string, Record<string, Handler>> = {
  '/.well-known/mta-sts.txt': { GET: mtaSts },
  '/healthz': { GET: healthz },
  '/mail/config-v1.1.xml': { GET: autoconfig },
  '/.well-known/autoconfig/mail/config-v1.1.xml': { GET: autoconfig },
  '/autodiscover/autodiscover.xml': { POST: autodiscover },
  '/apple/mobileconfig': { GET: apple },
};

function readBody(req: http.IncomingMessage): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) return Promise.reject(new HttpError(413, `request body over ${MAX_BODY_BYTES} bytes`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        reject(new HttpError(413, `request body over ${MAX_BODY_BYTES} bytes`));
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function dispatch(ctx: ServerContext, req: http.IncomingMessage): Promise<Reply> {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = (q < 0 ? url : url.slice(0, q)).toLowerCase();
  const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  const route = ROUTES[path];
  if (!route) throw new HttpError(404, 'not found');
  const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
  const handler = route[method];
  if (!handler) throw new HttpError(405, `${req.method} not allowed here`, { Allow: Object.keys(route).join(', ') });
  return handler(ctx, req, query);
}

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

  const server = http.createServer({ maxHeaderSize: 16 * 1024 }, (req, res) => {
    const socket = req.socket;
    inflight.set(socket, (inflight.get(socket) ?? 0) + 1);
    res.on('close', () => {
      const n = (inflight.get(socket) ?? 1) - 1;
      inflight.set(socket, n);
      if (deadlines.has(socket)) armDeadline(socket); // the next request on this connection gets a fresh deadline
      if (closing && n === 0) socket.end();
    });
    const send = (status: number, type: string, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, {
        'Content-Type': type,
        'Content-Length': Buffer.byteLength(body),
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'no-store',
        ...(closing ? { Connection: 'close' } : {}),
        ...headers,
      });
      res.end(body);
      log.debug({ method: req.method, path: (req.url ?? '').split('?')[0], status, ip: socket.remoteAddress }, 'http request');
    };
    dispatch(ctx, req).then(
      (r) => send(r.status ?? 200, r.type, r.body, r.headers),
      (err: unknown) => {
        if (err instanceof HttpError) {
          if (err.status === 413) res.setHeader('Connection', 'close');
          send(err.status, 'text/plain; charset=utf-8', `${err.message}\n`, err.headers);
        } else {
          log.error({ err, path: (req.url ?? '').split('?')[0] }, 'http request failed');
          send(500, 'text/plain; charset=utf-8', 'internal error\n');
        }
      },
    );
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
      name: 'http',
      address: listener.address,
      port: listener.port,
      tls: listener.tls === 'implicit' ? 'implicit' : 'none',
      maxConnectionsPerIp: ctx.config.limits.connections_per_ip,
      onReject: (s) => s.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'),
    },
    ctx.tls,
    (socket) => {
      inflight.set(socket, 0);
      armDeadline(socket);
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
