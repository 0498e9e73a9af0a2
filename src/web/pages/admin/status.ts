/** /admin: server status — version, uptime, listeners, open connections per protocol, store size, queue, certificate. */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { html } from 'hono/html';
import type { WebFeature } from '../../kit/types.js';
import { formatDate, page } from '../../kit/html.js';
import { formatSize } from '../../../admin/validate.js';
import { version } from '../../../version.js';

/** bytes of the SQLite store on disk (database and WAL), null for the memory store */
export function storeBytesOnDisk(config: { data_dir: string; store: { backend: string } }): number | null {
  if (config.store.backend !== 'sqlite') return null;
  let total = 0;
  for (const f of ['letterbox.db', 'letterbox.db-wal']) {
    try {
      total += statSync(join(config.data_dir, f)).size;
    } catch {
      // not there (yet)
    }
  }
  return total;
}

export const adminStatus: WebFeature = {
  name: 'admin-status',
  nav: [{ area: 'admin', label: 'Status', href: '/admin', order: 10 }],
  routes(app, ctx, services) {
    app.get('/admin', async (c) => {
      const open = services.metrics?.openConnections() ?? {};
      const listeners = services.listeners?.() ?? [];
      const queue = await ctx.store.listQueue();
      const size = storeBytesOnDisk(ctx.config);
      const accounts = await ctx.store.listAccounts();
      const domains = await ctx.store.listDomains();
      const cert = services.certificate?.() ?? null;
      const up = services.startedAt ? Math.round((Date.now() - services.startedAt.getTime()) / 1000) : null;
      return page(c, {
        title: 'Server status',
        body: html`
<div class="grid">
  <section class="card"><h2>letterbox ${version()}</h2>
    <p>Host name <code>${ctx.config.hostname}</code><br>
    ${up !== null ? html`Running for ${up < 3600 ? `${Math.round(up / 60)} minutes` : `${(up / 3600).toFixed(1)} hours`}<br>` : ''}
    Store: ${ctx.config.store.backend}${size !== null ? html`, ${formatSize(size)} on disk` : ''}<br>
    ${domains.length} domain${domains.length === 1 ? '' : 's'}, ${accounts.length} user${accounts.length === 1 ? '' : 's'}</p></section>
  <section class="card"><h2>Outbound queue</h2>
    <p>${queue.length} message${queue.length === 1 ? '' : 's'} waiting${queue.some((q) => q.lastError) ? html`, ${queue.filter((q) => q.lastError).length} with errors` : ''}. <a href="/admin/queue">Open the queue</a></p></section>
  <section class="card"><h2>Certificate</h2>
    ${cert ? html`<p><code>${cert.subject}</code><br>issued by ${cert.issuer}<br>valid until ${formatDate(cert.notAfter)}<br><span class="muted">${cert.source}</span></p>` : html`<p class="muted">unknown</p>`}</section>
</div>
<h2>Listeners</h2>
<div class="scroll"><table class="stack-narrow">
  <thead><tr><th scope="col">Listener</th><th scope="col">Address</th><th scope="col">TLS</th><th scope="col">Open connections</th></tr></thead>
  <tbody>${listeners.map((l) => {
    const proto = l.name.startsWith('imap') ? 'imap' : l.name.startsWith('pop3') ? 'pop3' : l.name === 'smtp' ? 'smtp' : l.name.startsWith('submission') ? 'submission' : l.name === 'managesieve' ? 'managesieve' : 'http';
    return html`<tr><td data-label="Listener">${l.name}</td><td data-label="Address"><code>${l.address}:${l.port}</code></td><td data-label="TLS">${l.tls}</td><td data-label="Open (${proto})">${open[proto] ?? 0} <span class="muted">(${proto})</span></td></tr>`;
  })}</tbody>
</table></div>`,
      });
    });
  },
};
