/**
 * /admin/dmarc: the DMARC aggregate reports other receivers sent about our domains (RFC 7489
 * §7.2), as `letterbox dmarc reports` lists them (src/smtp/dmarc/received.ts): per domain
 * and period, how many messages passed and failed and from how many sources; each report
 * with its records (source address, count, disposition, DKIM and SPF results).
 *
 * Everything shown comes from mail anyone can send to the rua address, so it is data, never
 * markup (hono's html tag escapes it), and a report is found only by its reporter and id
 * among the reports about domains hosted here.
 */
import { html } from 'hono/html';
import type { WebContext, WebFeature } from '../../kit/types.js';
import type { ServerContext } from '../../../context.js';
import { formatDate, page } from '../../kit/html.js';
import { reportTotals, reportsAbout, type ReceivedReport } from '../../../smtp/dmarc/received.js';

/** the periods offered, in days (0 = every report kept) */
const PERIODS = [7, 30, 90, 365, 0] as const;
const DEFAULT_PERIOD = 30;

const periodLabel = (days: number) => (days === 0 ? 'all kept reports' : `last ${days} days`);
const day = (d: Date) => (Number.isFinite(d.getTime()) ? d.toISOString().slice(0, 10) : '?');
const span = (r: ReceivedReport) => (day(r.begin) === day(r.end) ? day(r.begin) : `${day(r.begin)} to ${day(r.end)}`);
const reportHref = (r: ReceivedReport) => `/admin/dmarc/report?${new URLSearchParams({ org: r.org, id: r.reportId })}`;
const result = (v: string) => html`<span class="${v === 'pass' ? 'pass' : 'fail'}">${v || '?'}</span>`;

async function reports(ctx: ServerContext, domain?: string): Promise<ReceivedReport[]> {
  return reportsAbout(ctx.store, domain, (where, err) => ctx.log.warn({ where, err: err.message }, `DMARC report page: skipped an unreadable report (${where}): ${err.message}`));
}

async function list(c: WebContext, ctx: ServerContext) {
  const hosted = (await ctx.store.listDomains()).map((d) => d.name);
  const asked = (c.req.query('domain') ?? '').trim().toLowerCase();
  const domain = hosted.includes(asked) ? asked : '';
  const n = Number(c.req.query('days') ?? DEFAULT_PERIOD);
  const days: number = (PERIODS as readonly number[]).includes(n) ? n : DEFAULT_PERIOD;
  const since = days ? Date.now() - days * 86400_000 : -Infinity;
  // a report counts for the period when the time it covers ends inside it
  const shown = (await reports(ctx, domain || undefined)).filter((r) => r.end.getTime() >= since);
  const domains = domain ? [domain] : hosted;
  const perDomain = domains.map((d) => {
    const of = shown.filter((r) => r.domain === d);
    return { domain: d, reports: of.length, ...reportTotals(of.flatMap((r) => r.records)) };
  });

  const filter = html`<form method="get" action="/admin/dmarc" class="filters">
  <div><label for="domain">Domain</label><select id="domain" name="domain">
    <option value="">All domains</option>
    ${hosted.map((d) => html`<option value="${d}"${d === domain ? html` selected` : ''}>${d}</option>`)}
  </select></div>
  <div><label for="days">Period</label><select id="days" name="days">
    ${PERIODS.map((p) => html`<option value="${p}"${p === days ? html` selected` : ''}>${periodLabel(p)}</option>`)}
  </select></div>
  <div><button type="submit" class="secondary">Show</button></div>
</form>`;

  const summary = html`<h2>${domain || 'All domains'}, ${periodLabel(days)}</h2>
<div class="scroll"><table class="stack-narrow">
  <thead><tr><th scope="col">Domain</th><th scope="col">Reports</th><th scope="col">Messages</th><th scope="col">Passed DMARC</th><th scope="col">Failed</th><th scope="col">Sources (failing)</th></tr></thead>
  <tbody>${perDomain.map(
    (t) => html`<tr>
      <td data-label="Domain">${t.domain}</td>
      <td data-label="Reports">${t.reports}</td>
      <td data-label="Messages">${t.messages}</td>
      <td data-label="Passed">${t.passed}</td>
      <td data-label="Failed">${t.failed ? html`<strong class="fail">${t.failed}</strong>` : 0}</td>
      <td data-label="Sources (failing)">${t.sources} (${t.failingSources})</td>
    </tr>`,
  )}</tbody></table></div>`;

  const table = shown.length
    ? html`<h2>Reports</h2>
<div class="scroll"><table class="stack-narrow">
  <thead><tr><th scope="col">Domain</th><th scope="col">Reporter</th><th scope="col">Period</th><th scope="col">Messages</th><th scope="col">Passed</th><th scope="col">Failed</th><th scope="col">Sources</th><th scope="col">Report</th></tr></thead>
  <tbody>${shown.map((r) => {
    const t = reportTotals(r.records);
    return html`<tr>
      <td data-label="Domain">${r.domain}</td>
      <td data-label="Reporter">${r.org}</td>
      <td data-label="Period">${span(r)}</td>
      <td data-label="Messages">${t.messages}</td>
      <td data-label="Passed">${t.passed}</td>
      <td data-label="Failed">${t.failed}</td>
      <td data-label="Sources">${t.sources}</td>
      <td data-label="Report"><a href="${reportHref(r)}" aria-label="Report ${r.reportId} from ${r.org}">${r.reportId}</a></td>
    </tr>`;
  })}</tbody></table></div>`
    : html`<p>No reports about ${domain || 'these domains'} in this period. Receivers send them to the <code>rua</code> address of the
<code>_dmarc</code> record that <a href="/admin/domains">the DNS page</a> asks you to publish (<code>dmarc-reports@</code> or
<code>postmaster@</code> of the domain); they are read from that mailbox, so they appear here within a day of being published.</p>`;

  return page(c, { title: 'DMARC reports', body: html`${filter}${summary}${table}` });
}

async function detail(c: WebContext, ctx: ServerContext) {
  const org = c.req.query('org') ?? '';
  const id = c.req.query('id') ?? '';
  const r = (await reports(ctx)).find((x) => x.org === org && x.reportId === id);
  if (!r) return page(c, { title: 'No such report', status: 404, body: html`<p>No DMARC report from ${org || '?'} with id ${id || '?'} about a domain hosted here. <a href="/admin/dmarc">All reports</a></p>` });
  const t = reportTotals(r.records);
  const records = [...r.records].sort((a, b) => b.count - a.count);
  return page(c, {
    title: `DMARC report from ${r.org}`,
    body: html`<p><a href="/admin/dmarc?domain=${encodeURIComponent(r.domain)}">All reports about ${r.domain}</a></p>
<dl class="facts">
  <dt>Domain</dt><dd>${r.domain} (published policy: <code>p=${r.policy || '?'}</code>)</dd>
  <dt>Reporter</dt><dd>${r.org}${r.email ? html` &lt;${r.email}&gt;` : ''}</dd>
  <dt>Report id</dt><dd><code>${r.reportId}</code></dd>
  <dt>Period</dt><dd>${formatDate(r.begin)} to ${formatDate(r.end)}</dd>
  <dt>Messages</dt><dd>${t.messages}: ${t.passed} passed DMARC, ${t.failed} failed, from ${t.sources} source address${t.sources === 1 ? '' : 'es'}</dd>
  <dt>Found in</dt><dd>${r.account}, mailbox ${r.mailbox}, UID ${r.uid}</dd>
</dl>
<h2>Records</h2>
<div class="scroll"><table class="stack-narrow">
  <thead><tr><th scope="col">Source IP</th><th scope="col">Messages</th><th scope="col">Disposition</th><th scope="col">DKIM</th><th scope="col">SPF</th><th scope="col">Header From</th></tr></thead>
  <tbody>${records.map(
    (x) => html`<tr>
      <td data-label="Source IP"><code>${x.sourceIp}</code></td>
      <td data-label="Messages">${x.count}</td>
      <td data-label="Disposition">${x.disposition || '?'}</td>
      <td data-label="DKIM">${result(x.dkim)}</td>
      <td data-label="SPF">${result(x.spf)}</td>
      <td data-label="Header From">${x.headerFrom}</td>
    </tr>`,
  )}</tbody></table></div>
<p class="muted">DKIM and SPF here are the receiver's aligned results (policy_evaluated): a message passes DMARC when either passes.
A source that fails both and is yours (a newsletter service, a second server) needs adding to the domain's SPF record or DKIM signing there.</p>`,
  });
}

export const adminDmarc: WebFeature = {
  name: 'admin-dmarc',
  nav: [{ area: 'admin', label: 'DMARC reports', href: '/admin/dmarc', order: 55 }],
  routes(app, ctx) {
    app.get('/admin/dmarc', (c) => list(c, ctx));
    app.get('/admin/dmarc/report', (c) => detail(c, ctx));
  },
};
