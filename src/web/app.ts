/**
 * The web pages on the HTTP listeners: setup (public), sign-in, the user's own pages under
 * /account/ and the admin console under /admin/. This file owns what every page relies on:
 *
 *  1. security headers (a strict Content-Security-Policy: no inline script or style, no
 *     framing; HSTS over TLS);
 *  2. the signed-in user from the session cookie (./kit/session.ts), and the CSRF token of the
 *     page (the session's, or a double-submit cookie before sign-in);
 *  3. every POST must carry that token as _csrf (and, when the browser sends Origin, come
 *     from this origin), else 403 — before any feature code runs;
 *  4. /account/* needs a signed-in user (else a redirect to /login), /admin/* an administrator
 *     (else 403).
 *
 * Features (./features.ts) only add routes. A user's pages act on c.get('user').account and
 * never take an account from the request, so no id in a URL or form reaches another account.
 */
import { Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { html } from 'hono/html';
import type { ServerContext } from '../context.js';
import { normaliseIp } from '../net/address.js';
import { isAdmin } from '../auth/roles.js';
import type { WebEnv, WebServices, WebContext } from './kit/types.js';
import { FEATURES } from './features.js';
import { page, STYLESHEET } from './kit/html.js';
import { field, formOf } from './kit/forms.js';
import { PRE_COOKIE, SESSION_COOKIE, randomToken, readWebSession, sameToken } from './kit/session.js';

const CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export function forbidden(c: WebContext, text: string) {
  return page(c, { title: 'Not allowed', status: 403, body: html`<p>${text}</p>` });
}

export function createWebApp(ctx: ServerContext, services: WebServices, secure: boolean): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  const nav = FEATURES.flatMap((f) => f.nav ?? []);

  app.get('/static/app.css', (c) => c.body(STYLESHEET, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'max-age=3600' }));

  app.use('*', async (c, next) => {
    c.set('secure', secure);
    c.set('ip', normaliseIp(c.env.incoming.socket.remoteAddress));
    c.set('nav', nav);
    c.set('user', null);
    await next();
    c.header('Content-Security-Policy', CSP);
    c.header('X-Frame-Options', 'DENY');
    c.header('Referrer-Policy', 'no-referrer');
    if (secure) c.header('Strict-Transport-Security', 'max-age=31536000');
  });

  // who is signed in; which CSRF token this page's forms carry
  app.use('*', async (c, next) => {
    const session = await readWebSession(ctx.store, getCookie(c, SESSION_COOKIE), ctx.config.web.session_hours);
    const account = session ? await ctx.store.getAccountById(session.accountId) : null;
    if (session && account) {
      c.set('user', { account, session: session.key, credential: session.credential, admin: await isAdmin(ctx.store, account.id) });
      c.set('csrf', session.csrf);
    } else {
      let pre = getCookie(c, PRE_COOKIE);
      if (!pre || !/^[A-Za-z0-9_-]{32}$/.test(pre)) {
        pre = randomToken();
        setCookie(c, PRE_COOKIE, pre, { httpOnly: true, secure: true, sameSite: 'Strict', path: '/' });
      }
      c.set('csrf', pre);
    }
    await next();
  });

  // CSRF: every state-changing request carries the page's token
  app.use('*', async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const origin = c.req.header('origin');
    if (origin && origin !== 'null' && new URL(c.req.url).host !== safeHost(origin)) {
      ctx.log.warn({ ip: c.get('ip'), origin, path: new URL(c.req.url).pathname }, 'web: refused a form sent from another site (Origin mismatch)');
      return forbidden(c, 'This form was sent from another site. Open the page here and send it again.');
    }
    const form = await formOf(c);
    if (!sameToken(field(form, '_csrf'), c.get('csrf'))) {
      ctx.log.warn({ ip: c.get('ip'), path: new URL(c.req.url).pathname }, 'web: refused a form without a valid CSRF token');
      return forbidden(c, 'This form has expired or was not sent from this site. Reload the page and try again.');
    }
    return next();
  });

  app.use('/account/*', async (c, next) => {
    if (!c.get('user')) return c.redirect(`/login?next=${encodeURIComponent(new URL(c.req.url).pathname)}`, 303);
    return next();
  });
  app.use('/account', async (c, next) => (c.get('user') ? next() : c.redirect('/login?next=%2Faccount', 303)));
  const adminOnly = async (c: WebContext, next: () => Promise<void>) => {
    const user = c.get('user');
    if (!user) return c.redirect(`/login?next=${encodeURIComponent(new URL(c.req.url).pathname)}`, 303);
    if (!user.admin) {
      ctx.log.warn({ user: user.account.address, path: new URL(c.req.url).pathname }, 'web: a non-administrator asked for the admin console');
      return forbidden(c, 'The admin console is for administrators. An administrator can grant access with: letterbox user admin <address>');
    }
    return next();
  };
  app.use('/admin', adminOnly);
  app.use('/admin/*', adminOnly);

  for (const feature of FEATURES) feature.routes(app, ctx, services);
  return app;
}

function safeHost(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}
