/** /account: storage used against the quota, and the addresses that deliver to the account. */
import { html } from 'hono/html';
import type { WebFeature } from '../../kit/types.js';
import { page } from '../../kit/html.js';
import { formatSize } from '../../../admin/validate.js';

export const accountOverview: WebFeature = {
  name: 'account-overview',
  nav: [{ area: 'account', label: 'Overview', href: '/account', order: 10 }],
  routes(app, ctx) {
    app.get('/account', async (c) => {
      const { account } = c.get('user')!;
      const used = await ctx.store.usedBytes(account.id);
      const domain = account.address.slice(account.address.lastIndexOf('@') + 1);
      const aliases = (await ctx.store.listAliases()).filter(
        (a) => a.destinations.some((d) => d.toLowerCase() === account.address) || a.source === `@${domain}` && a.destinations.some((d) => d.toLowerCase() === account.address),
      );
      const quota = account.quotaBytes;
      const policy = account.pop3Policy ?? ctx.config.pop3.delete_policy;
      return page(c, {
        title: 'Your account',
        body: html`
<p>Signed in as <strong>${account.address}</strong>.</p>
<h2>Storage</h2>
${quota
  ? html`<p><label for="quota">${formatSize(used)} of ${formatSize(quota)} used</label>
     <meter id="quota" min="0" max="${quota}" value="${Math.min(used, quota)}" low="${Math.round(quota * 0.8)}" high="${Math.round(quota * 0.95)}" optimum="0">${Math.round((used / quota) * 100)}%</meter></p>
     ${used >= quota ? html`<p class="notice error">The mailbox is full: new mail is refused until you delete some.</p>` : ''}`
  : html`<p>${formatSize(used)} used (no quota).</p>`}
<h2>Addresses that reach you</h2>
<ul>
  <li><code>${account.address}</code> (your address; also <code>${account.address.replace('@', '+anything@')}</code>)</li>
  ${aliases.map((a) => html`<li><code>${a.source.startsWith('@') ? `anything${a.source}` : a.source}</code>${a.destinations.length > 1 ? html` <span class="muted">(also to ${a.destinations.filter((d) => d.toLowerCase() !== account.address).join(', ')})</span>` : ''}</li>`)}
</ul>
<h2>POP3</h2>
<p>When a POP3 program deletes a message: ${
          policy === 'retain'
            ? html`it is kept for ${ctx.config.pop3.retention_days} days and can be <a href="/account/deleted">restored</a>.`
            : policy === 'trash'
              ? 'it moves to Trash.'
              : policy === 'hide'
                ? 'it is hidden from POP3 only.'
                : 'it is deleted at once.'
        }</p>`,
      });
    });
  },
};
