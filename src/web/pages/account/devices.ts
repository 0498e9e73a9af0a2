/**
 * /account/devices: the devices and programs that signed in to the account (src/auth/devices.ts):
 * protocol, program name (ManageSieve and POP3 clients give none), address, first and last seen. "Sign out" ends the device's open
 * sessions, revokes the app password it used (one that used the account password has to be
 * stopped by changing the password) and forgets the entry.
 */
import { html } from 'hono/html';
import type { WebContext, WebFeature } from '../../kit/types.js';
import { PASSWORD_CREDENTIAL, type SessionProtocol } from '../../../net/sessions.js';
import type { AuthProtocol } from '../../../auth/types.js';
import { endWebSessionsOf } from '../../kit/session.js';

/** the session registry's name for each protocol a device logs in with (web sign-ins are ../../kit/session.ts) */
const SESSION_PROTOCOL: Record<AuthProtocol, SessionProtocol | null> = { imap: 'imap', pop3: 'pop3', smtp: 'submission', managesieve: 'managesieve', web: null };
import { PROTOCOL_NAME, csrfField, formatDate, page } from '../../kit/html.js';
import { field, formOf } from '../../kit/forms.js';
import { forgetDevice, getDevice, listDevices } from '../../../auth/devices.js';
import { listAppPasswords, revokeAppPassword } from '../../../auth/app-passwords.js';
import type { ServerContext } from '../../../context.js';

async function render(c: WebContext, ctx: ServerContext, notice: { kind: 'ok' | 'error'; text: string } | null = null, status: 200 | 400 = 200) {
  const { account } = c.get('user')!;
  const devices = await listDevices(ctx.store, account.id);
  const apps = new Map((await listAppPasswords(ctx.store, account.id)).map((a) => [a.id, a.name]));
  const live = ctx.sessions.list(account.id);
  const connected = (d: (typeof devices)[number]) =>
    live.filter((s) => s.protocol === SESSION_PROTOCOL[d.protocol] && s.remoteAddress === d.ip && s.credential === d.credential).length;
  return page(c, {
    title: 'Devices',
    notice,
    status,
    body: html`
<p>Programs that signed in to your account, most recent first.</p>
${devices.length
  ? html`<div class="scroll"><table class="stack-narrow">
    <thead><tr><th scope="col">Program</th><th scope="col">Protocol</th><th scope="col">Address</th><th scope="col">Password</th><th scope="col">First seen</th><th scope="col">Last seen</th><th scope="col"><span class="muted">Action</span></th></tr></thead>
    <tbody>${devices.map(
      (d) => html`<tr>
        <td data-label="Program">${d.client ?? html`<span class="muted">unknown</span>`}</td>
        <td data-label="Protocol">${PROTOCOL_NAME[d.protocol] ?? d.protocol}</td>
        <td data-label="Address"><code>${d.ip}</code></td>
        <td data-label="Password">${d.credential === 'password' ? 'account password' : html`app password “${apps.get(d.credential) ?? d.appName ?? 'revoked'}”`}</td>
        <td data-label="First seen">${formatDate(d.firstSeen)}</td>
        <td data-label="Last seen">${connected(d) ? html`<strong>connected now</strong> (${connected(d)})` : formatDate(d.lastSeen)}</td>
        <td><form method="post" action="/account/devices/sign-out" class="inline">${csrfField(c)}<input type="hidden" name="device" value="${d.key}"><button type="submit" class="danger" aria-label="Sign out ${d.client ?? PROTOCOL_NAME[d.protocol] ?? d.protocol} from ${d.ip}">Sign out</button></form></td>
      </tr>`,
    )}</tbody></table></div>`
  : html`<p class="muted">No device has signed in yet.</p>`}
<p class="muted">Signing out a device that uses your account password ends its open connections, but it can sign in again until you <a href="/account/password">change the password</a>. Give each device its own <a href="/account/app-passwords">app password</a> to stop one for good.</p>`,
  });
}

export const devicesPage: WebFeature = {
  name: 'devices',
  nav: [{ area: 'account', label: 'Devices', href: '/account/devices', order: 20 }],
  routes(app, ctx) {
    app.get('/account/devices', (c) => render(c, ctx));
    app.post('/account/devices/sign-out', async (c) => {
      const { account } = c.get('user')!;
      const key = field(await formOf(c), 'device');
      const device = await getDevice(ctx.store, account.id, key);
      if (!device) return render(c, ctx, { kind: 'error', text: 'No such device (already signed out?).' }, 400);
      const protocol = SESSION_PROTOCOL[device.protocol];
      let ended = protocol
        ? ctx.sessions.closeAccount(account.id, { reason: 'signed out on the web', credential: device.credential, device: { protocol, remoteAddress: device.ip } })
        : 0;
      // the revocation's change ends the credential's other sessions (in every process); counted before it does
      const others = ctx.sessions.list(account.id).filter((s) => s.credential === device.credential).length;
      const revoked = device.credential !== PASSWORD_CREDENTIAL && (await revokeAppPassword(ctx.store, account.id, device.credential));
      if (revoked) ended += Math.max(others, ctx.sessions.closeAccount(account.id, { reason: 'app password revoked', credential: device.credential }));
      if (device.protocol === 'web') ended += await endWebSessionsOf(ctx.store, account.id, device.credential, device.ip, c.get('user')!.session);
      await forgetDevice(ctx.store, account.id, device.key);
      ctx.log.info({ user: account.address, device: device.key, protocol: device.protocol, ip: device.ip, ended, revoked }, 'web: device signed out');
      return render(c, ctx, {
        kind: 'ok',
        text: `Signed out ${device.client ?? PROTOCOL_NAME[device.protocol] ?? device.protocol} at ${device.ip}: ${ended} open connection${ended === 1 ? '' : 's'} ended${revoked ? ', its app password revoked' : ''}.`,
      });
    });
  },
};
