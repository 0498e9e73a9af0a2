/**
 * /admin/users: accounts — add (address, password, quota), and per user: password reset,
 * quota, POP3 delete policy, administrator or not, remove. The same rules as
 * `letterbox user …` (src/admin/validate.ts for addresses and sizes).
 */
import { html } from 'hono/html';
import type { WebContext, WebFeature } from '../../kit/types.js';
import { PASSWORD_CREDENTIAL } from '../../../net/sessions.js';
import type { ServerContext } from '../../../context.js';
import { csrfField, page } from '../../kit/html.js';
import { formatSize } from '../../../admin/validate.js';
import { field, formOf } from '../../kit/forms.js';
import { InputError, domainOf, parseAddress, parseSize } from '../../../admin/validate.js';
import { isAdmin, setAdmin } from '../../../auth/roles.js';
import { endOtherWebSessions } from '../../kit/session.js';
import { MIN_PASSWORD_LENGTH } from '../account/password.js';
import type { Account, Pop3DeletePolicy } from '../../../store/types.js';

type Notice = { kind: 'ok' | 'error'; text: string } | null;
const POLICIES: Array<Pop3DeletePolicy | 'default'> = ['default', 'retain', 'trash', 'hide', 'expunge'];

async function list(c: WebContext, ctx: ServerContext, notice: Notice = null, status: 200 | 400 | 409 = 200) {
  const accounts = await ctx.store.listAccounts();
  const domains = await ctx.store.listDomains();
  const rows = await Promise.all(accounts.map(async (a) => ({ a, used: await ctx.store.usedBytes(a.id), admin: await isAdmin(ctx.store, a.id) })));
  return page(c, {
    title: 'Users',
    notice,
    status,
    body: html`
${domains.length
  ? html`<form method="post" action="/admin/users" class="stack">
  ${csrfField(c)}
  <div><label for="address">Address</label><input type="email" id="address" name="address" placeholder="someone@${domains[0]!.name}" required autocapitalize="none"></div>
  <div><label for="password">Password</label><input type="password" id="password" name="password" autocomplete="new-password" minlength="${MIN_PASSWORD_LENGTH}" required></div>
  <div><label for="quota">Quota</label><input type="text" id="quota" name="quota" placeholder="e.g. 2G; empty = unlimited"></div>
  <div><button type="submit">Add user</button></div>
</form>`
  : html`<p>Add a <a href="/admin/domains">domain</a> first.</p>`}
<div class="scroll"><table class="stack-narrow">
  <thead><tr><th scope="col">Address</th><th scope="col">Used</th><th scope="col">Quota</th><th scope="col">POP3 delete</th><th scope="col">Role</th></tr></thead>
  <tbody>${rows.map(
    ({ a, used, admin }) => html`<tr>
      <td data-label="Address"><a href="/admin/users/${a.id}">${a.address}</a></td>
      <td data-label="Used">${formatSize(used)}</td>
      <td data-label="Quota">${a.quotaBytes ? formatSize(a.quotaBytes) : 'unlimited'}</td>
      <td data-label="POP3 delete">${a.pop3Policy ?? `default (${ctx.config.pop3.delete_policy})`}</td>
      <td data-label="Role">${admin ? 'administrator' : 'user'}</td>
    </tr>`,
  )}</tbody></table></div>`,
  });
}

async function detail(c: WebContext, ctx: ServerContext, a: Account, notice: Notice = null, status: 200 | 400 = 200) {
  const used = await ctx.store.usedBytes(a.id);
  const admin = await isAdmin(ctx.store, a.id);
  const action = (what: string) => `/admin/users/${a.id}/${what}`;
  return page(c, {
    title: a.address,
    notice,
    status,
    body: html`
<p>${formatSize(used)} used of ${a.quotaBytes ? formatSize(a.quotaBytes) : 'unlimited'}; ${admin ? 'administrator' : 'user'}.</p>
<div class="grid">
<form method="post" action="${action('password')}" class="stack card">${csrfField(c)}
  <h2>Reset password</h2>
  <div><label for="pw">New password</label><input type="password" id="pw" name="password" autocomplete="new-password" minlength="${MIN_PASSWORD_LENGTH}" required></div>
  <p class="muted">Ends the user's other sessions.</p>
  <div><button type="submit">Set password</button></div></form>
<form method="post" action="${action('quota')}" class="stack card">${csrfField(c)}
  <h2>Quota</h2>
  <div><label for="q">Quota</label><input type="text" id="q" name="quota" value="${a.quotaBytes ? formatSize(a.quotaBytes).replace(/ (.)iB/, '$1') : '0'}"></div>
  <p class="muted">500M, 2G, or 0 for unlimited.</p>
  <div><button type="submit">Set quota</button></div></form>
<form method="post" action="${action('pop3-policy')}" class="stack card">${csrfField(c)}
  <h2>POP3 delete policy</h2>
  <div><label for="pol">When a POP3 program deletes</label><select id="pol" name="policy">
    ${POLICIES.map((p) => html`<option value="${p}"${(a.pop3Policy ?? 'default') === p ? html` selected` : ''}>${p === 'default' ? `default (${ctx.config.pop3.delete_policy})` : p}</option>`)}
  </select></div>
  <div><button type="submit">Set policy</button></div></form>
<form method="post" action="${action('role')}" class="stack card">${csrfField(c)}
  <h2>Role</h2>
  <input type="hidden" name="admin" value="${admin ? '0' : '1'}">
  <div><button type="submit" class="secondary">${admin ? 'Take administrator rights away' : 'Make administrator'}</button></div></form>
<form method="post" action="${action('remove')}" class="stack card">${csrfField(c)}
  <h2>Remove</h2>
  <p>Removes the account and all its mail.</p>
  <div><label><input type="checkbox" name="confirm" value="yes" required> Yes, remove ${a.address}</label></div>
  <div><button type="submit" class="danger">Remove user</button></div></form>
</div>
<p><a href="/admin/users">All users</a></p>`,
  });
}

export const adminUsers: WebFeature = {
  name: 'admin-users',
  nav: [{ area: 'admin', label: 'Users', href: '/admin/users', order: 30 }],
  routes(app, ctx) {
    app.get('/admin/users', (c) => list(c, ctx));
    app.post('/admin/users', async (c) => {
      const f = await formOf(c);
      try {
        const address = parseAddress(field(f, 'address'));
        const quota = field(f, 'quota').trim() ? parseSize(field(f, 'quota')) : 0;
        const password = field(f, 'password');
        if (password.length < MIN_PASSWORD_LENGTH) throw new InputError(`the password needs at least ${MIN_PASSWORD_LENGTH} characters`);
        if (!(await ctx.store.getDomain(domainOf(address)))) throw new InputError(`${domainOf(address)} is not a domain here; add it first`);
        if (await ctx.store.getAccount(address)) return list(c, ctx, { kind: 'error', text: `${address} already exists.` }, 409);
        if ((await ctx.store.listAliases(domainOf(address))).some((a) => a.source === address)) throw new InputError(`${address} is an alias; remove the alias first`);
        await ctx.store.createAccount(address, await ctx.auth.hashPassword(password), { quotaBytes: quota });
        ctx.log.info({ user: address, admin: c.get('user')!.account.address }, 'web admin: user added');
        return list(c, ctx, { kind: 'ok', text: `Added ${address}.` });
      } catch (e) {
        if (e instanceof InputError) return list(c, ctx, { kind: 'error', text: e.message.charAt(0).toUpperCase() + e.message.slice(1) + '.' }, 400);
        throw e;
      }
    });

    const target = async (c: WebContext) => {
      const id = Number(c.req.param('id'));
      return Number.isSafeInteger(id) ? ctx.store.getAccountById(id) : null;
    };
    const missing = (c: WebContext) => page(c, { title: 'Unknown user', status: 404, body: html`<p>No such user. <a href="/admin/users">All users</a></p>` });

    app.get('/admin/users/:id', async (c) => {
      const a = await target(c);
      return a ? detail(c, ctx, a) : missing(c);
    });
    app.post('/admin/users/:id/:action', async (c) => {
      const a = await target(c);
      if (!a) return missing(c);
      const f = await formOf(c);
      const admin = c.get('user')!.account.address;
      try {
        switch (c.req.param('action')) {
          case 'password': {
            const pw = field(f, 'password');
            if (pw.length < MIN_PASSWORD_LENGTH) throw new InputError(`the password needs at least ${MIN_PASSWORD_LENGTH} characters`);
            const passwordHash = await ctx.auth.hashPassword(pw);
            const open = ctx.sessions.list(a.id).length;
            const updated = await ctx.store.updateAccount(a.id, { passwordHash });
            const web = await endOtherWebSessions(ctx.store, a.id, a.id === c.get('user')!.account.id ? c.get('user')!.session : null);
            // the store's password change may have ended them already: count all that ended since
            ctx.sessions.closeAccount(a.id, { reason: 'password reset by an administrator', credential: PASSWORD_CREDENTIAL });
            const ended = web + Math.max(0, open - ctx.sessions.list(a.id).length);
            ctx.log.info({ user: a.address, admin, ended }, 'web admin: password reset');
            return detail(c, ctx, updated, { kind: 'ok', text: `Password set; ${ended} session${ended === 1 ? '' : 's'} ended.` });
          }
          case 'quota': {
            const updated = await ctx.store.updateAccount(a.id, { quotaBytes: parseSize(field(f, 'quota')) });
            ctx.log.info({ user: a.address, admin, quota: updated.quotaBytes }, 'web admin: quota set');
            return detail(c, ctx, updated, { kind: 'ok', text: 'Quota set.' });
          }
          case 'pop3-policy': {
            const p = field(f, 'policy') as Pop3DeletePolicy | 'default';
            if (!POLICIES.includes(p)) throw new InputError('unknown POP3 policy');
            const updated = await ctx.store.updateAccount(a.id, { pop3Policy: p === 'default' ? null : p });
            ctx.log.info({ user: a.address, admin, policy: p }, 'web admin: POP3 policy set');
            return detail(c, ctx, updated, { kind: 'ok', text: 'POP3 delete policy set.' });
          }
          case 'role': {
            const on = field(f, 'admin') === '1';
            if (!on && a.id === c.get('user')!.account.id) throw new InputError('you cannot take your own administrator rights away here (another administrator, or: letterbox user admin --revoke)');
            await setAdmin(ctx.store, a.id, on);
            ctx.log.info({ user: a.address, admin, grant: on }, 'web admin: role changed');
            return detail(c, ctx, a, { kind: 'ok', text: on ? `${a.address} is now an administrator.` : `${a.address} is no longer an administrator.` });
          }
          case 'remove': {
            if (field(f, 'confirm') !== 'yes') throw new InputError('tick the box to confirm');
            if (a.id === c.get('user')!.account.id) throw new InputError('you cannot remove your own account while signed in with it');
            await ctx.store.deleteAccount(a.id);
            ctx.log.info({ user: a.address, admin }, 'web admin: user removed');
            return list(c, ctx, { kind: 'ok', text: `Removed ${a.address} and their mail.` });
          }
          default:
            return missing(c);
        }
      } catch (e) {
        if (e instanceof InputError) return detail(c, ctx, a, { kind: 'error', text: e.message.charAt(0).toUpperCase() + e.message.slice(1) + '.' }, 400);
        throw e;
      }
    });
  },
};
