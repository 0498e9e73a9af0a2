/**
 * Page rendering: one layout for every page, values escaped by hono's `html` tag (strings
 * interpolated into it are escaped; only html`` fragments pass through), a small stylesheet
 * served from /static/app.css (the Content-Security-Policy allows nothing inline), and no
 * script needed to read anything.
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { WebContext } from './types.js';
import type { AuthProtocol } from '../../auth/types.js';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export interface PageOptions {
  title: string;
  body: Html;
  /** a notice above the content (after an action) */
  notice?: { kind: 'ok' | 'error'; text: string } | null;
  status?: 200 | 400 | 403 | 404 | 409 | 429 | 500;
}

/** the hidden field every form carries */
export const csrfField = (c: WebContext): Html => html`<input type="hidden" name="_csrf" value="${c.get('csrf')}">`;

export function page(c: WebContext, opts: PageOptions): Response | Promise<Response> {
  const user = c.get('user');
  const path = new URL(c.req.url).pathname;
  const area = path.startsWith('/admin') ? 'admin' : path.startsWith('/account') ? 'account' : null;
  const nav = c
    .get('nav')
    .filter((n) => (n.area === 'account' && user) || (n.area === 'admin' && user?.admin))
    .sort((a, b) => (a.area === b.area ? a.order - b.order : a.area === 'account' ? -1 : 1));
  const notice = opts.notice
    ? html`<p class="notice ${opts.notice.kind}" role="${opts.notice.kind === 'error' ? 'alert' : 'status'}">${opts.notice.text}</p>`
    : '';
  const menu = user
    ? html`<nav aria-label="Main">
        <ul>
          ${nav.map((n) => html`<li><a href="${n.href}"${n.href === path ? html` aria-current="page"` : ''}>${n.area === 'admin' ? html`<span class="tag">admin</span> ` : ''}${n.label}</a></li>`)}
        </ul>
        <form method="post" action="/logout" class="inline">${csrfField(c)}<button type="submit" class="link">Sign out ${user.account.address}</button></form>
      </nav>`
    : html`<nav aria-label="Main"><ul><li><a href="/">Set up a device</a></li><li><a href="/login">Sign in</a></li></ul></nav>`;
  return c.html(
    html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${opts.title} · letterbox</title>
<link rel="stylesheet" href="/static/app.css">
</head>
<body${area ? html` class="${area}"` : ''}>
<header><a class="brand" href="${user ? '/account' : '/'}">letterbox</a>${menu}</header>
<main id="main">
<h1>${opts.title}</h1>
${notice}
${opts.body}
</main>
</body>
</html>`,
    opts.status ?? 200,
  );
}


/** "2025-03-01 14:05 UTC" */
/** how the pages name a protocol a credential is used for (devices, app passwords) */
export const PROTOCOL_NAME: Record<AuthProtocol, string> = { imap: 'IMAP', pop3: 'POP3', smtp: 'SMTP', managesieve: 'ManageSieve', web: 'Web' };

export const formatDate = (d: Date): string => d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';

export const STYLESHEET = `
:root { --fg:#1b1b1f; --muted:#555; --bg:#fff; --line:#d0d0d7; --accent:#0b57d0; --ok:#0a6b2e; --err:#a1120f; --soft:#f3f4f8; }
* { box-sizing: border-box; }
body { margin:0; font:16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--fg); background:var(--bg); }
header { display:flex; flex-wrap:wrap; align-items:center; gap:.5rem 1.5rem; padding:.75rem 1rem; border-bottom:1px solid var(--line); background:var(--soft); }
.brand { font-weight:700; color:var(--fg); text-decoration:none; font-size:1.15rem; }
nav { display:flex; flex-wrap:wrap; align-items:center; gap:.5rem 1rem; }
nav ul { display:flex; flex-wrap:wrap; gap:.25rem 1rem; list-style:none; margin:0; padding:0; }
nav a { color:var(--accent); }
nav a[aria-current=page] { font-weight:700; color:var(--fg); }
.tag { font-size:.7rem; text-transform:uppercase; background:#e1e6f5; color:#1f3a7a; padding:0 .3rem; border-radius:3px; }
main { max-width:60rem; margin:0 auto; padding:1rem; }
h1 { font-size:1.6rem; margin:.5rem 0 1rem; }
h2 { font-size:1.2rem; margin:1.5rem 0 .5rem; }
a { color:var(--accent); }
table { border-collapse:collapse; width:100%; margin:.5rem 0 1rem; }
th, td { text-align:left; padding:.4rem .5rem; border-bottom:1px solid var(--line); vertical-align:top; }
th { background:var(--soft); font-weight:600; }
.scroll { overflow-x:auto; }
code, .mono { font-family:ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size:.92em; word-break:break-all; }
form.stack { display:grid; gap:.75rem; max-width:28rem; margin:.5rem 0 1.5rem; }
form.stack.wide { max-width:none; }
form.inline { display:inline; margin:0; }
label { font-weight:600; display:block; }
input[type=text], input[type=email], input[type=password], select { width:100%; padding:.5rem; font:inherit; border:1px solid #8a8a96; border-radius:4px; background:#fff; color:var(--fg); }
textarea { width:100%; max-width:100%; padding:.5rem; border:1px solid #8a8a96; border-radius:4px; background:#fff; color:var(--fg); }
fieldset { border:1px solid var(--line); border-radius:4px; padding:.5rem .75rem; }
fieldset label { display:inline-flex; gap:.35rem; margin-right:1rem; font-weight:400; }
button { font:inherit; padding:.45rem 1rem; border-radius:4px; border:1px solid var(--accent); background:var(--accent); color:#fff; cursor:pointer; }
button.secondary { background:#fff; color:var(--accent); }
button.danger { background:var(--err); border-color:var(--err); }
button.link { background:none; border:none; color:var(--accent); padding:0; text-decoration:underline; }
.notice { padding:.6rem .8rem; border-radius:4px; border:1px solid; }
.notice.ok { color:var(--ok); border-color:var(--ok); background:#eef8f1; }
.notice.error { color:var(--err); border-color:var(--err); background:#fbefee; }
.muted { color:var(--muted); }
.secret { font-size:1.4rem; letter-spacing:.08em; padding:.5rem; background:var(--soft); border:1px dashed var(--line); display:inline-block; }
.grid { display:grid; gap:1rem; grid-template-columns:repeat(auto-fit, minmax(16rem, 1fr)); }
.card { border:1px solid var(--line); border-radius:6px; padding:.75rem 1rem; }
.qr svg { width:12rem; height:12rem; }
meter { width:100%; height:1.2rem; }
form.filters { display:flex; flex-wrap:wrap; align-items:end; gap:.75rem 1rem; margin:.5rem 0 1rem; }
form.filters select { width:auto; min-width:10rem; }
dl.facts { display:grid; grid-template-columns:max-content 1fr; gap:.25rem 1rem; }
dl.facts dt { font-weight:600; }
dl.facts dd { margin:0; overflow-wrap:anywhere; }
.pass { color:var(--ok); }
.fail { color:var(--err); }
@media (max-width: 40rem) {
  table.stack-narrow thead { position:absolute; left:-9999px; }
  table.stack-narrow tr { display:block; border-bottom:2px solid var(--line); padding:.4rem 0; }
  table.stack-narrow td { display:block; border:none; padding:.15rem .25rem; }
  table.stack-narrow td[data-label]::before { content:attr(data-label) ": "; font-weight:600; }
}
`;
