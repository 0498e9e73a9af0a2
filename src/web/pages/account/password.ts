/**
 * /account/password: change the account password. The current password is asked again
 * (checked through the authenticator, so failures count towards the throttle; app passwords
 * are not accepted here). Afterwards every other session of the account ends: other browser
 * sign-ins, and every open IMAP/POP3/SMTP/ManageSieve session of the account (the store's
 * password-change event ends them all, app-password sessions included: src/net/sessions.ts).
 */
import { html } from 'hono/html';
import type { WebFeature, WebContext } from '../../kit/types.js';
import { csrfField, page } from '../../kit/html.js';
import { field, formOf } from '../../kit/forms.js';
import { endOtherWebSessions } from '../../kit/session.js';
import { PASSWORD_CREDENTIAL } from '../../../net/sessions.js';

export const MIN_PASSWORD_LENGTH = 10;

function form(c: WebContext) {
  return html`
<form method="post" action="/account/password" class="stack">
  ${csrfField(c)}
  <input type="text" name="username" value="${c.get('user')!.account.address}" autocomplete="username" hidden>
  <div><label for="current">Current password</label><input type="password" id="current" name="current" autocomplete="current-password" required></div>
  <div><label for="new">New password</label><input type="password" id="new" name="new" autocomplete="new-password" minlength="${MIN_PASSWORD_LENGTH}" required aria-describedby="new-hint">
  <p id="new-hint" class="muted">At least ${MIN_PASSWORD_LENGTH} characters. A few unrelated words make a good password.</p></div>
  <div><label for="confirm">New password again</label><input type="password" id="confirm" name="confirm" autocomplete="new-password" required></div>
  <div><button type="submit">Change password</button></div>
</form>
<p class="muted">Your other devices are disconnected. Those that use the account password must sign in again with the new one; those that use an app password reconnect with it by themselves.</p>`;
}

export const passwordPage: WebFeature = {
  name: 'password',
  nav: [{ area: 'account', label: 'Password', href: '/account/password', order: 50 }],
  routes(app, ctx) {
    app.get('/account/password', (c) => page(c, { title: 'Change password', body: form(c) }));
    app.post('/account/password', async (c) => {
      const user = c.get('user')!;
      const f = await formOf(c);
      const next = field(f, 'new');
      const fail = (text: string, status: 400 | 429 = 400) => page(c, { title: 'Change password', status, notice: { kind: 'error', text }, body: form(c) });
      if (next.length < MIN_PASSWORD_LENGTH) return fail(`The new password needs at least ${MIN_PASSWORD_LENGTH} characters.`);
      if (Buffer.byteLength(next) > 255) return fail('The new password is too long (at most 255 bytes).');
      if (next !== field(f, 'confirm')) return fail('The two new passwords differ.');
      // no protocol: only the account password itself is accepted, never an app password
      const r = await ctx.auth.login(user.account.address, field(f, 'current'), c.get('ip'));
      if (!r.ok) return fail(r.reason === 'throttled' ? 'Too many failed attempts. Wait a few minutes.' : 'The current password is wrong.', r.reason === 'throttled' ? 429 : 400);
      const passwordHash = await ctx.auth.hashPassword(next);
      const open = ctx.sessions.list(user.account.id).length;
      await ctx.store.updateAccount(user.account.id, { passwordHash });
      const web = await endOtherWebSessions(ctx.store, user.account.id, user.session);
      // the store's password change ends them too (any process, possibly before this line):
      // close what is left at once, and count every session that ended since the change
      ctx.sessions.closeAccount(user.account.id, { reason: 'password changed on the web', credential: PASSWORD_CREDENTIAL });
      const mail = Math.max(0, open - ctx.sessions.list(user.account.id).length);
      ctx.log.info({ user: user.account.address, endedWeb: web, endedMail: mail }, 'web: password changed; other sessions ended');
      return page(c, {
        title: 'Change password',
        notice: { kind: 'ok', text: `Password changed. ${web + mail} other session${web + mail === 1 ? '' : 's'} ended.` },
        body: html`<p><a href="/account">Back to your account</a></p>`,
      });
    });
  },
};
