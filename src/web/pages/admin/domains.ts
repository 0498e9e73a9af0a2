/**
 * /admin/domains: the mail domains (add with a DKIM key, remove when unused), and per domain
 * the DNS records to publish (src/smtp/dnsrecords.ts) beside what DNS answers for them now.
 */
import { html } from 'hono/html';
import type { WebContext, WebFeature } from '../../kit/types.js';
import type { ServerContext } from '../../../context.js';
import { csrfField, formatDate, page } from '../../kit/html.js';
import { field, formOf } from '../../kit/forms.js';
import { InputError, parseDomain } from '../../../admin/validate.js';
import { dkimSelector, generateDkimKey } from '../../../smtp/core/dkim.js';
import { recordsFor, type DnsRecord } from '../../../smtp/dnsrecords.js';
import { resolverFor, isNotFound, type DnsResolver } from '../../../smtp/core/dns.js';
import { StoreError } from '../../../store/types.js';

type Notice = { kind: 'ok' | 'error'; text: string } | null;

async function list(c: WebContext, ctx: ServerContext, notice: Notice = null, status: 200 | 400 | 409 = 200) {
  const domains = await ctx.store.listDomains();
  const accounts = await ctx.store.listAccounts();
  const users = (d: string) => accounts.filter((a) => a.address.endsWith(`@${d}`)).length;
  return page(c, {
    title: 'Domains',
    notice,
    status,
    body: html`
<form method="post" action="/admin/domains" class="stack">
  ${csrfField(c)}
  <div><label for="domain">New domain</label><input type="text" id="domain" name="domain" placeholder="example.com" required autocapitalize="none" spellcheck="false"></div>
  <div><label><input type="checkbox" name="dkim" value="1" checked> Make a DKIM signing key</label></div>
  <div><button type="submit">Add domain</button></div>
</form>
${domains.length
  ? html`<div class="scroll"><table class="stack-narrow">
  <thead><tr><th scope="col">Domain</th><th scope="col">Users</th><th scope="col">DKIM selector</th><th scope="col">Added</th><th scope="col"><span class="muted">Action</span></th></tr></thead>
  <tbody>${domains.map(
    (d) => html`<tr>
      <td data-label="Domain"><a href="/admin/domains/${encodeURIComponent(d.name)}">${d.name}</a></td>
      <td data-label="Users">${users(d.name)}</td>
      <td data-label="DKIM">${d.dkimSelector ?? html`<span class="muted">none</span>`}</td>
      <td data-label="Added">${formatDate(d.createdAt)}</td>
      <td><form method="post" action="/admin/domains/remove" class="inline">${csrfField(c)}<input type="hidden" name="domain" value="${d.name}"><button class="danger" type="submit" aria-label="Remove ${d.name}">Remove</button></form></td>
    </tr>`,
  )}</tbody></table></div>`
  : html`<p>No domains yet: add the first one above.</p>`}`,
  });
}

const norm = (s: string) => s.toLowerCase().replace(/\.$/, '');
const unquote = (v: string) => v.replace(/"\s*"/g, '').replace(/^"|"$/g, '');

/** what DNS answers for one record we ask to publish, and whether it matches */
async function liveCheck(resolve: DnsResolver, r: DnsRecord, hostname: string): Promise<{ found: string; ok: boolean }> {
  const name = norm(r.name);
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(Object.assign(new Error('timed out'), { code: 'ETIMEOUT' })), 3000).unref());
  try {
    const answers = await Promise.race([resolve(name, r.type), timeout]);
    if (r.type === 'MX') {
      const mx = answers as Array<{ exchange: string; priority: number }>;
      return { found: mx.map((m) => `${m.priority} ${m.exchange}`).join(', '), ok: mx.some((m) => norm(m.exchange) === norm(hostname)) };
    }
    if (r.type === 'TXT') {
      const txt = (answers as string[][]).map((chunks) => chunks.join(''));
      const want = unquote(r.value);
      const prefix = want.split(';')[0]!;
      const match = want.startsWith('v=DKIM1') ? txt.some((t) => t.replace(/\s+/g, '') === want.replace(/\s+/g, '')) : txt.some((t) => t.startsWith(prefix));
      return { found: txt.filter((t) => t.startsWith(prefix.slice(0, 5))).join(' | ') || txt.join(' | '), ok: match };
    }
    if (r.type === 'SRV') {
      const srv = answers as Array<{ priority: number; weight: number; port: number; name: string }>;
      const [, , port, target] = r.value.split(' ');
      return { found: srv.map((s) => `${s.priority} ${s.weight} ${s.port} ${s.name}`).join(', '), ok: srv.some((s) => String(s.port) === port && norm(s.name) === norm(target ?? '')) };
    }
    const cname = answers as string[];
    return { found: cname.join(', '), ok: cname.some((n) => norm(n) === norm(r.value)) };
  } catch (err) {
    return { found: isNotFound(err) ? 'nothing published' : `lookup failed (${(err as { code?: string }).code ?? (err as Error).message})`, ok: false };
  }
}

export const adminDomains: WebFeature = {
  name: 'admin-domains',
  nav: [{ area: 'admin', label: 'Domains', href: '/admin/domains', order: 20 }],
  routes(app, ctx, services) {
    app.get('/admin/domains', (c) => list(c, ctx));
    app.post('/admin/domains', async (c) => {
      const f = await formOf(c);
      let name: string;
      try {
        name = parseDomain(field(f, 'domain'));
      } catch (e) {
        if (e instanceof InputError) return list(c, ctx, { kind: 'error', text: e.message }, 400);
        throw e;
      }
      if (await ctx.store.getDomain(name)) return list(c, ctx, { kind: 'error', text: `${name} is already a domain here.` }, 409);
      const dkim = field(f, 'dkim') ? { selector: dkimSelector(), privateKey: generateDkimKey() } : undefined;
      await ctx.store.addDomain(name, dkim);
      services.domainsChanged?.();
      ctx.log.info({ domain: name, admin: c.get('user')!.account.address }, 'web admin: domain added');
      return list(c, ctx, { kind: 'ok', text: `Added ${name}. Publish its DNS records (open it below), then add users.` });
    });
    app.post('/admin/domains/remove', async (c) => {
      const name = field(await formOf(c), 'domain');
      try {
        await ctx.store.removeDomain(name);
      } catch (e) {
        if (e instanceof StoreError) return list(c, ctx, { kind: 'error', text: e.message }, 409);
        throw e;
      }
      ctx.log.info({ domain: name, admin: c.get('user')!.account.address }, 'web admin: domain removed');
      return list(c, ctx, { kind: 'ok', text: `Removed ${name}.` });
    });
    app.get('/admin/domains/:name', async (c) => {
      const domain = await ctx.store.getDomain(c.req.param('name').toLowerCase());
      if (!domain) return page(c, { title: 'Unknown domain', status: 404, body: html`<p>No such domain. <a href="/admin/domains">All domains</a></p>` });
      const records = recordsFor(domain, ctx.config);
      const checks = await Promise.all(records.map((r) => liveCheck(resolverFor(ctx.config), r, ctx.config.hostname)));
      return page(c, {
        title: `DNS for ${domain.name}`,
        body: html`
<p>Publish these records at the domain's DNS provider. The last column shows what DNS answers now${ctx.config.hostname === 'localhost' ? html` <strong>(the host name is "localhost": set <code>hostname</code> in the configuration first)</strong>` : ''}.</p>
<div class="scroll"><table class="stack-narrow">
  <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Value</th><th scope="col">DNS now</th></tr></thead>
  <tbody>${records.map(
    (r, i) => html`<tr>
      <td data-label="Name"><code>${r.name}</code></td>
      <td data-label="Type">${r.type}</td>
      <td data-label="Value"><code>${r.value}</code>${r.comment ? html`<br><span class="muted">${r.comment}</span>` : ''}</td>
      <td data-label="DNS now">${checks[i]!.ok ? html`<strong class="ok-text">✓ published</strong>` : html`<strong>✗</strong> ${checks[i]!.found}`}</td>
    </tr>`,
  )}</tbody></table></div>
<p><a href="/admin/domains">All domains</a></p>`,
      });
    });
  },
};
