/**
 * Sign-in and sign-out. The password is checked by the same authenticator as IMAP, POP3 and
 * SMTP (argon2id, the shared failed-login throttle), as protocol "web": the account password
 * or an app password allowed for the web. Over plain HTTP only from addresses in
 * auth.plaintext_allowed_from, like the mail protocols.
 */
import { html } from 'hono/html';
import { deleteCookie, setCookie } from 'hono/cookie';
import { plaintextAllowed } from '../../auth/policy.js';
import { credentialId } from '../../auth/devices.js';
import type { WebContext, WebFeature } from '../kit/types.js';
import { csrfField, page } from '../kit/html.js';
import { field, formOf } from '../kit/forms.js';
import { SESSION_COOKIE, createWebSession, endWebSession } from '../kit/session.js';

/** a short description of the browser for the devices list */
export function browserName(ua: string | undefined): string | null {
  if (!ua) return null;
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrom(e|ium)\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : 'browser';
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Mac OS X/.test(ua) ? 'macOS' : /Windows/.test(ua) ? 'Windows' : /Linux/.test(ua) ? 'Linux' : '';
  return `${browser}${os ? ` on ${os}` : ''}`;
}

/** a path on this site to go to after signing in (never another site) */
function safeNext(next: string | undefined): string {
  return next && /^\/(?!\/)[A-Za-z0-9/_.-]*$/.test(next) ? next : '/account';
}

function form(c: WebContext, opts: { address?: string; next: string; error?: string }) {
  return html`
<form method="post" action="/login" class="stack">
  ${csrfField(c)}
  <input type="hidden" name="next" value="${opts.next}">
  <div><label for="address">Mail address</label>
  <input type="email" id="address" name="address" value="${opts.address ?? ''}" autocomplete="username" required></div>
  <div><label for="password">Password</label>
  <input type="password" id="password" name="password" autocomplete="current-password" required></div>
  <div><button type="submit">Sign in</button></div>
</form>
<p class="muted">Use the password of your mail account, or an app password allowed for the web.</p>`;
}

export const loginPage: WebFeature = {
  name: 'login',
  routes(app, ctx) {
    app.get('/login', (c) => {
      if (c.get('user')) return c.redirect(safeNext(c.req.query('next')), 303);
      return page(c, { title: 'Sign in', body: form(c, { next: safeNext(c.req.query('next')) }) });
    });

    app.post('/login', async (c) => {
      const f = await formOf(c);
      const address = field(f, 'address').trim();
      const next = safeNext(field(f, 'next'));
      if (!plaintextAllowed(ctx.config, { secure: c.get('secure'), remoteAddress: c.get('ip') })) {
        return page(c, { title: 'Sign in', status: 403, notice: { kind: 'error', text: 'Signing in needs an encrypted connection: open this page with https://' }, body: form(c, { address, next }) });
      }
      const r = await ctx.auth.login(address, field(f, 'password'), c.get('ip'), { protocol: 'web', client: browserName(c.req.header('user-agent')) });
      if (!r.ok) {
        const text =
          r.reason === 'throttled'
            ? 'Too many failed sign-ins. Wait a few minutes and try again.'
            : r.reason === 'temp'
              ? 'Signing in is not possible right now. Try again later.'
              : 'Wrong address or password.';
        return page(c, { title: 'Sign in', status: r.reason === 'throttled' ? 429 : 400, notice: { kind: 'error', text }, body: form(c, { address, next }) });
      }
      const { cookie } = await createWebSession(
        ctx.store,
        r.account.id,
        { credential: credentialId(r.credential), ip: c.get('ip'), client: browserName(c.req.header('user-agent')) },
        ctx.config.web.session_hours,
      );
      setCookie(c, SESSION_COOKIE, cookie, { httpOnly: true, secure: true, sameSite: 'Strict', path: '/' });
      return c.redirect(next, 303);
    });

    app.post('/logout', async (c) => {
      const user = c.get('user');
      if (user) await endWebSession(ctx.store, user.account.id, user.session);
      deleteCookie(c, SESSION_COOKIE, { path: '/', secure: true });
      return c.redirect('/login', 303);
    });
  },
};
