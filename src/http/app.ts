/**
 * What the HTTP listeners answer (one hono app per listener):
 *
 *   GET  /mail/config-v1.1.xml?emailaddress=…            Thunderbird (autoconfig.<domain>)
 *   GET  /.well-known/autoconfig/mail/config-v1.1.xml     Thunderbird (the mail domain)
 *   POST /autodiscover/autodiscover.xml                   Outlook (POX Autodiscover)
 *   GET  /apple/mobileconfig?email=…                      iOS / macOS configuration profile
 *   GET  /healthz                                         200 "ok"
 *   GET  /metrics                                         Prometheus, from metrics.allowed_from only
 *   GET  /.well-known/acme-challenge/<token>              ACME http-01 (tls.acme)
 *   everything else                                       the web pages (src/web), among them
 *                                                         the MTA-STS policy on mta-sts.<domain>
 *
 * Request bodies over MAX_BODY_BYTES get 413. Addresses whose domain is not hosted here get
 * 404 from the discovery routes, so clients fall back to their own guesses.
 */
import { BlockList, isIP } from 'node:net';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { HttpBindings } from '@hono/node-server';
import type { ServerContext } from '../context.js';
import { normaliseIp } from '../net/address.js';
import type { WebServices } from '../web/kit/types.js';
import { createWebApp } from '../web/app.js';
import { MTA_STS_PATH } from '../smtp/mta-sts-policy.js';
import { mailSettings, parseAddress } from '../net/mailsettings.js';
import { autoconfigXml } from './autoconfig.js';
import { autodiscoverXml, requestedAddress } from './autodiscover.js';
import { mobileconfig } from './mobileconfig.js';

/** request bodies above this are refused with 413 (an Autodiscover request is a few hundred bytes, a form less) */
export const MAX_BODY_BYTES = 64 * 1024;

type Env = { Bindings: HttpBindings };

/** path → methods of the routes outside the web pages, and of the web's MTA-STS policy */
const FIXED_ROUTES: Record<string, string[]> = {
  '/healthz': ['GET'],
  [MTA_STS_PATH]: ['GET'],
  '/metrics': ['GET'],
  '/mail/config-v1.1.xml': ['GET'],
  '/.well-known/autoconfig/mail/config-v1.1.xml': ['GET'],
  '/autodiscover/autodiscover.xml': ['POST'],
  '/apple/mobileconfig': ['GET'],
};

class HttpError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 413,
    message: string,
  ) {
    super(message);
  }
}

const XML = 'application/xml; charset=utf-8';

/** the address's domain must be one we host; otherwise the client should look elsewhere */
async function hostedAddress(ctx: ServerContext, value: string | null | undefined, param: string) {
  const parsed = parseAddress(value);
  if (!parsed) throw new HttpError(400, `missing or malformed ${param} (expected local@domain)`);
  if (!(await ctx.store.getDomain(parsed.domain))) throw new HttpError(404, `${parsed.domain} is not a domain served here`);
  return parsed;
}

/** the mail domain a Thunderbird request is about: from emailaddress, else from the Host header */
async function autoconfigDomain(ctx: ServerContext, c: Context<Env>): Promise<string> {
  const email = c.req.query('emailaddress');
  if (email !== undefined) return (await hostedAddress(ctx, email, 'emailaddress')).domain;
  const host = (c.req.header('host') ?? '').toLowerCase().replace(/:\d+$/, '').replace(/^autoconfig\./, '');
  return /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host) ? host : ctx.config.hostname;
}

/** addresses and CIDR ranges (metrics.allowed_from) as a node BlockList */
export function addressList(entries: string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [addr, bits] = entry.trim().split('/') as [string, string | undefined];
    const family = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (!isIP(addr)) continue; // config check reports it
    if (bits === undefined) list.addAddress(addr, family);
    else list.addSubnet(addr, Number(bits), family);
  }
  return list;
}

function discovery(app: Hono<Env>, ctx: ServerContext): void {
  const autoconfig = async (c: Context<Env>) => c.body(autoconfigXml(await autoconfigDomain(ctx, c), mailSettings(ctx.config)), 200, { 'Content-Type': XML });
  app.get('/mail/config-v1.1.xml', autoconfig);
  app.get('/.well-known/autoconfig/mail/config-v1.1.xml', autoconfig);
  app.post('/autodiscover/autodiscover.xml', async (c) => {
    const email = requestedAddress(await c.req.text());
    if (email === null) throw new HttpError(400, 'expected a POX Autodiscover request with <EMailAddress>');
    const { address } = await hostedAddress(ctx, email, 'EMailAddress');
    return c.body(autodiscoverXml(address, mailSettings(ctx.config)), 200, { 'Content-Type': XML });
  });
  app.get('/apple/mobileconfig', async (c) => {
    const { address } = await hostedAddress(ctx, c.req.query('email'), 'email');
    const settings = mailSettings(ctx.config);
    const imap = settings.imap[0];
    if (!imap) throw new HttpError(404, 'no IMAP listener with TLS is enabled, so there is nothing to configure');
    return c.body(mobileconfig(ctx.config.hostname, address, imap, settings.smtp[0]), 200, {
      'Content-Type': 'application/x-apple-aspen-config; charset=utf-8',
      'Content-Disposition': `attachment; filename="${address.replace(/[^A-Za-z0-9._@-]/g, '_')}.mobileconfig"`,
    });
  });
  app.get('/healthz', (c) => c.text('ok'));
}

export function createHttpApp(ctx: ServerContext, services: WebServices, secure: boolean): Hono<Env> {
  const app = new Hono<Env>();
  const allowed = addressList(ctx.config.metrics.allowed_from);

  app.use('*', async (c, next) => {
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
  });
  app.use('*', bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => c.text(`request body over ${MAX_BODY_BYTES} bytes\n`, 413, { Connection: 'close' }) }));
  // header names are case-insensitive; paths of the discovery routes were matched lower-cased before
  app.use('*', async (c, next) => {
    const path = new URL(c.req.url).pathname;
    const lower = path.toLowerCase();
    if (lower !== path && (lower.startsWith('/mail/') || lower.startsWith('/.well-known/autoconfig/') || lower.startsWith('/autodiscover/'))) {
      return app.fetch(new Request(c.req.url.replace(path, lower), c.req.raw), c.env);
    }
    return next();
  });

  // the fixed routes answer 405 with Allow for other methods (GET implies HEAD)
  app.use('*', async (c, next) => {
    const allow = FIXED_ROUTES[new URL(c.req.url).pathname];
    const method = c.req.method === 'HEAD' ? 'GET' : c.req.method;
    if (allow && !allow.includes(method)) return c.text(`${c.req.method} not allowed here\n`, 405, { Allow: allow.join(', ') });
    return next();
  });

  discovery(app, ctx);

  app.get('/metrics', async (c) => {
    const ip = normaliseIp(c.env.incoming.socket.remoteAddress);
    if (!allowed.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4')) {
      ctx.log.info({ ip }, `refused /metrics to ${ip}: not in metrics.allowed_from`);
      return c.text('metrics are only served to addresses in metrics.allowed_from\n', 403);
    }
    if (!services.metrics) return c.text('metrics are not collected in this process\n', 404);
    const { contentType, body } = await services.metrics.scrape();
    return c.body(body, 200, { 'Content-Type': contentType });
  });

  app.get('/.well-known/acme-challenge/:token', (c) => {
    const answer = services.acmeChallenge?.(c.req.param('token'));
    return answer ? c.text(answer) : c.text('no such challenge\n', 404);
  });

  app.route('/', createWebApp(ctx, services, secure) as unknown as Hono<Env>);

  app.notFound((c) => c.text('not found\n', 404));
  app.onError((err, c) => {
    if (err instanceof HttpError) return c.text(`${err.message}\n`, err.status);
    const path = new URL(c.req.url).pathname;
    ctx.log.error({ err, path }, `http request for ${path} failed: ${err.message}`);
    return c.text('internal error\n', 500);
  });
  return app;
}
