/**
 * The setup page (no sign-in): for an address hosted here, the settings every mail client
 * needs, IMAP versus POP3 in two sentences, the Apple profile download and a QR code of its
 * link for phones, and a note that Thunderbird and Outlook find everything themselves.
 * Served as / (also on autoconfig.<domain>, where the domain is filled in) and /setup.
 */
import { html, raw } from 'hono/html';
import QRCode from 'qrcode';
import type { ServerContext } from '../../context.js';
import { mailSettings, parseAddress, type Endpoint } from '../../net/mailsettings.js';
import type { WebContext, WebFeature, WebServices } from '../kit/types.js';
import type { Config } from '../../config/schema.js';
import { page } from '../kit/html.js';

const securityLabel = (e: Endpoint) => (e.security === 'SSL' ? 'SSL/TLS' : 'STARTTLS');

function endpoints(title: string, list: Endpoint[], user: string) {
  if (list.length === 0) return html`<tr><th scope="row">${title}</th><td colspan="4" class="muted">not offered by this server</td></tr>`;
  return list.map(
    (e) => html`<tr>
      <th scope="row">${title}</th>
      <td data-label="Server"><code>${e.host}</code></td>
      <td data-label="Port">${e.port}</td>
      <td data-label="Security">${securityLabel(e)}</td>
      <td data-label="User name"><code>${user}</code></td>
    </tr>`,
  );
}

/** the configuration with the ports the listeners really bound (port 0 = any free port) */
function liveConfig(ctx: ServerContext, services: WebServices): Config {
  const running = services.listeners?.() ?? [];
  const listeners = Object.fromEntries(
    Object.entries(ctx.config.listeners).map(([name, l]) => [name, { ...l, port: running.find((r) => r.name === name)?.port ?? l.port }]),
  ) as Config['listeners'];
  return { ...ctx.config, listeners };
}

async function settingsFor(c: WebContext, ctx: ServerContext, services: WebServices, address: string) {
  const s = mailSettings(liveConfig(ctx, services));
  const origin = new URL(c.req.url).origin;
  const profile = `/apple/mobileconfig?email=${encodeURIComponent(address)}`;
  const svg = await QRCode.toString(origin + profile, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  const policy = ctx.config.pop3.delete_policy;
  const days = ctx.config.pop3.retention_days;
  const pop3Note =
    policy === 'retain'
      ? html`When a POP3 program deletes a message, this server keeps it for ${days} days, and you can bring it back from your account pages.`
      : policy === 'trash'
        ? html`When a POP3 program deletes a message, this server moves it to Trash.`
        : policy === 'hide'
          ? html`When a POP3 program deletes a message, this server hides it from POP3 only; other devices still see it.`
          : html`When a POP3 program deletes a message, it is gone.`;
  return html`
<p>Settings for <strong>${address}</strong>. The password is the one of your mail account, or an app password made for this device on your <a href="/account/app-passwords">account pages</a>.</p>
<div class="scroll">
<table class="stack-narrow">
  <thead><tr><th scope="col">Service</th><th scope="col">Server</th><th scope="col">Port</th><th scope="col">Security</th><th scope="col">User name</th></tr></thead>
  <tbody>
    ${endpoints('Incoming (IMAP)', s.imap, address)}
    ${endpoints('Incoming (POP3)', s.pop3, address)}
    ${endpoints('Outgoing (SMTP)', s.smtp, address)}
  </tbody>
</table>
</div>
<p class="muted">Authentication: normal password. Outgoing mail needs the same user name and password.</p>
<h2>IMAP or POP3?</h2>
<p><strong>Choose IMAP</strong> if you can: your mail stays on the server, and every device sees the same folders, read marks and sent mail.</p>
<p><strong>POP3</strong> downloads mail to one device. ${pop3Note}</p>
<div class="grid">
  <section class="card">
    <h2>iPhone, iPad and Mac</h2>
    <p><a href="${profile}">Download the configuration profile</a>, then open it in Settings (iPhone, iPad) or System Settings (Mac). You will be asked for the password.</p>
    <p>On a phone, scan this code with the camera to open the same link:</p>
    <div class="qr" role="img" aria-label="QR code of the profile link">${raw(svg)}</div>
  </section>
  <section class="card">
    <h2>Thunderbird, Outlook and others</h2>
    <p>Add the account with your address and password: Thunderbird and Outlook look the settings up themselves (they ask <code>autoconfig.${address.split('@')[1]}</code> and Autodiscover). Other programs need the table above.</p>
  </section>
</div>`;
}

function askForm(prefill: string, error: string | null) {
  return html`
<p>Enter your mail address to see how to set up a phone, tablet or computer.</p>
<form method="get" action="/" class="stack">
  <div><label for="email">Mail address</label>
  <input type="email" id="email" name="email" value="${prefill}" autocomplete="email" required${error ? html` aria-invalid="true" aria-describedby="email-error"` : ''}></div>
  ${error ? html`<p id="email-error" class="notice error">${error}</p>` : ''}
  <div><button type="submit">Show settings</button></div>
</form>
<p>Already set up? <a href="/login">Sign in</a> to see your devices, restore deleted mail, or make app passwords.</p>`;
}

export const setupPage: WebFeature = {
  name: 'setup',
  routes(app, ctx, services) {
    const handler = async (c: WebContext) => {
      const email = c.req.query('email');
      const host = (c.req.header('host') ?? '').toLowerCase().replace(/:\d+$/, '');
      const domainHint = host.startsWith('autoconfig.') ? host.slice('autoconfig.'.length) : '';
      if (email === undefined) return page(c, { title: 'Set up your mail', body: askForm(domainHint ? `@${domainHint}` : '', null) });
      const parsed = parseAddress(email);
      if (!parsed) return page(c, { title: 'Set up your mail', status: 400, body: askForm(email, 'That is not a mail address (expected name@domain).') });
      if (!(await ctx.store.getDomain(parsed.domain)))
        return page(c, { title: 'Set up your mail', status: 404, body: askForm(email, `${parsed.domain} is not a mail domain of this server.`) });
      return page(c, { title: 'Set up your mail', body: await settingsFor(c, ctx, services, parsed.address.toLowerCase()) });
    };
    app.get('/', handler);
    app.get('/setup', handler);
  },
};
