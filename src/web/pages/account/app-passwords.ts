/**
 * /account/app-passwords: one password per device, each limited to the protocols ticked
 * (src/auth/app-passwords.ts). The new password is shown once; revoking one ends the open
 * sessions that signed in with it.
 */
import { html } from 'hono/html';
import type { WebContext, WebFeature } from '../../kit/types.js';
import { PROTOCOL_NAME, csrfField, formatDate, page } from '../../kit/html.js';
import { field, fields, formOf } from '../../kit/forms.js';
import { APP_PASSWORD_PROTOCOLS, AppPasswordError, createAppPassword, listAppPasswords, revokeAppPassword } from '../../../auth/app-passwords.js';
import type { AuthProtocol } from '../../../auth/types.js';
import type { ServerContext } from '../../../context.js';

const LABEL: Record<AuthProtocol, string> = {
  imap: 'IMAP (read mail)',
  pop3: 'POP3 (download mail)',
  smtp: 'SMTP (send mail)',
  managesieve: 'ManageSieve (edit mail filters)',
  web: 'These web pages',
};
/** ticked on a new form: what a mail program needs (filters and the web pages only when asked for) */
const TICKED: readonly AuthProtocol[] = ['imap', 'pop3', 'smtp'];

async function render(c: WebContext, ctx: ServerContext, extra: { notice?: { kind: 'ok' | 'error'; text: string }; created?: { name: string; password: string }; status?: 200 | 400 } = {}) {
  const { account } = c.get('user')!;
  const list = await listAppPasswords(ctx.store, account.id);
  return page(c, {
    title: 'App passwords',
    notice: extra.notice ?? null,
    status: extra.status,
    body: html`
${extra.created
  ? html`<section class="card" aria-labelledby="new-pw"><h2 id="new-pw">App password for ${extra.created.name}</h2>
    <p>Type this into the device's password field now. It will not be shown again.</p>
    <p><output class="secret mono" id="new-password">${extra.created.password}</output></p></section>`
  : ''}
<p>An app password lets one device or program use your mail without knowing your account password. You can limit it to what the program needs, and revoke it on its own.</p>
<h2>Make an app password</h2>
<form method="post" action="/account/app-passwords" class="stack">
  ${csrfField(c)}
  <div><label for="name">Device or program</label><input type="text" id="name" name="name" maxlength="80" placeholder="e.g. Phone mail app" required></div>
  <fieldset><legend>May be used for</legend>
    ${APP_PASSWORD_PROTOCOLS.map((p) => html`<label><input type="checkbox" name="protocol" value="${p}"${TICKED.includes(p) ? html` checked` : ''}> ${LABEL[p]}</label>`)}
  </fieldset>
  <div><button type="submit">Make app password</button></div>
</form>
<h2>Your app passwords</h2>
${list.length
  ? html`<div class="scroll"><table class="stack-narrow">
    <thead><tr><th scope="col">Name</th><th scope="col">Allowed</th><th scope="col">Made</th><th scope="col"><span class="muted">Action</span></th></tr></thead>
    <tbody>${list.map(
      (p) => html`<tr>
        <td data-label="Name">${p.name}</td>
        <td data-label="Allowed">${p.protocols.map((x) => PROTOCOL_NAME[x] ?? x).join(', ')}</td>
        <td data-label="Made">${formatDate(p.createdAt)}</td>
        <td><form method="post" action="/account/app-passwords/revoke" class="inline">${csrfField(c)}<input type="hidden" name="id" value="${p.id}"><button type="submit" class="danger" aria-label="Revoke ${p.name}">Revoke</button></form></td>
      </tr>`,
    )}</tbody></table></div>`
  : html`<p class="muted">None yet.</p>`}`,
  });
}

export const appPasswordsPage: WebFeature = {
  name: 'app-passwords',
  nav: [{ area: 'account', label: 'App passwords', href: '/account/app-passwords', order: 30 }],
  routes(app, ctx) {
    app.get('/account/app-passwords', (c) => render(c, ctx));
    app.post('/account/app-passwords', async (c) => {
      const { account } = c.get('user')!;
      const f = await formOf(c);
      const protocols = fields(f, 'protocol').filter((p): p is AuthProtocol => (APP_PASSWORD_PROTOCOLS as string[]).includes(p));
      try {
        const made = await createAppPassword(ctx.store, account.id, { name: field(f, 'name'), protocols }, (pw) => ctx.auth.hashPassword(pw));
        ctx.log.info({ user: account.address, id: made.id, protocols }, 'web: app password made');
        return render(c, ctx, { created: { name: field(f, 'name').trim(), password: made.password } });
      } catch (e) {
        if (e instanceof AppPasswordError) return render(c, ctx, { notice: { kind: 'error', text: e.message }, status: 400 });
        throw e;
      }
    });
    app.post('/account/app-passwords/revoke', async (c) => {
      const { account } = c.get('user')!;
      const id = field(await formOf(c), 'id');
      // the revocation's change ends these sessions (in every process); counted before it does
      const open = ctx.sessions.list(account.id).filter((s) => s.credential === id).length;
      if (!(await revokeAppPassword(ctx.store, account.id, id))) return render(c, ctx, { notice: { kind: 'error', text: 'No such app password (already revoked?).' }, status: 400 });
      const ended = Math.max(open, ctx.sessions.closeAccount(account.id, { reason: 'app password revoked', credential: id }));
      ctx.log.info({ user: account.address, id, ended }, 'web: app password revoked');
      return render(c, ctx, { notice: { kind: 'ok', text: `App password revoked${ended ? `; ${ended} open session${ended === 1 ? '' : 's'} ended` : ''}.` } });
    });
  },
};
