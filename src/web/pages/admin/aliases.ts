/** /admin/aliases: addresses (or @domain catch-alls) delivering to accounts or other addresses. */
import { html } from 'hono/html';
import type { WebContext, WebFeature } from '../../kit/types.js';
import type { ServerContext } from '../../../context.js';
import { csrfField, page } from '../../kit/html.js';
import { field, formOf } from '../../kit/forms.js';
import { InputError, domainOf, parseAddress, parseAliasSource } from '../../../admin/validate.js';
import { StoreError } from '../../../store/types.js';

type Notice = { kind: 'ok' | 'error'; text: string } | null;

async function list(c: WebContext, ctx: ServerContext, notice: Notice = null, status: 200 | 400 | 409 = 200) {
  const aliases = await ctx.store.listAliases();
  return page(c, {
    title: 'Aliases',
    notice,
    status,
    body: html`
<form method="post" action="/admin/aliases" class="stack">
  ${csrfField(c)}
  <div><label for="source">Alias</label><input type="text" id="source" name="source" placeholder="sales@example.com, or @example.com for everything else" required autocapitalize="none"></div>
  <div><label for="dest">Delivers to</label><input type="text" id="dest" name="destinations" placeholder="alice@example.com, bob@example.org" required autocapitalize="none"></div>
  <div><button type="submit">Add alias</button></div>
</form>
${aliases.length
  ? html`<div class="scroll"><table class="stack-narrow"><thead><tr><th scope="col">Alias</th><th scope="col">Delivers to</th><th scope="col"><span class="muted">Action</span></th></tr></thead>
  <tbody>${aliases.map(
    (a) => html`<tr><td data-label="Alias"><code>${a.source}</code></td><td data-label="Delivers to">${a.destinations.join(', ')}</td>
      <td><form method="post" action="/admin/aliases/remove" class="inline">${csrfField(c)}<input type="hidden" name="source" value="${a.source}"><button class="danger" type="submit" aria-label="Remove ${a.source}">Remove</button></form></td></tr>`,
  )}</tbody></table></div>`
  : html`<p class="muted">No aliases yet.</p>`}`,
  });
}

export const adminAliases: WebFeature = {
  name: 'admin-aliases',
  nav: [{ area: 'admin', label: 'Aliases', href: '/admin/aliases', order: 40 }],
  routes(app, ctx) {
    app.get('/admin/aliases', (c) => list(c, ctx));
    app.post('/admin/aliases', async (c) => {
      const f = await formOf(c);
      try {
        const source = parseAliasSource(field(f, 'source'));
        const destinations = field(f, 'destinations').split(/[\s,;]+/).filter(Boolean).map((d) => parseAddress(d, 'destination'));
        if (!destinations.length) throw new InputError('name at least one destination address');
        const domain = source.startsWith('@') ? source.slice(1) : domainOf(source);
        if (!(await ctx.store.getDomain(domain))) throw new InputError(`${domain} is not a domain here; add it first`);
        if (!source.startsWith('@') && (await ctx.store.getAccount(source))) throw new InputError(`${source} is a user; an alias cannot have the same address`);
        await ctx.store.addAlias(source, destinations);
        ctx.log.info({ alias: source, destinations, admin: c.get('user')!.account.address }, 'web admin: alias added');
        return list(c, ctx, { kind: 'ok', text: `Added ${source}.` });
      } catch (e) {
        if (e instanceof InputError || e instanceof StoreError) return list(c, ctx, { kind: 'error', text: e.message }, e instanceof StoreError ? 409 : 400);
        throw e;
      }
    });
    app.post('/admin/aliases/remove', async (c) => {
      const source = field(await formOf(c), 'source');
      try {
        await ctx.store.removeAlias(source);
      } catch (e) {
        if (e instanceof StoreError) return list(c, ctx, { kind: 'error', text: e.message }, 409);
        throw e;
      }
      ctx.log.info({ alias: source, admin: c.get('user')!.account.address }, 'web admin: alias removed');
      return list(c, ctx, { kind: 'ok', text: `Removed ${source}.` });
    });
  },
};
