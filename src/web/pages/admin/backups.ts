/**
 * /admin/backups: start a backup of the store (the same online backup as `letterbox backup`,
 * into <data_dir>/backups/), list them and download one. Only for the SQLite store.
 */
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { html } from 'hono/html';
import type { WebContext, WebFeature, WebServices } from '../../kit/types.js';
import type { ServerContext } from '../../../context.js';
import { csrfField, formatDate, page } from '../../kit/html.js';
import { formatSize } from '../../../admin/validate.js';

export const BACKUP_DIR = 'backups';
export const BACKUP_NAME = /^letterbox-\d{8}-\d{6}\.db$/;

function backups(ctx: ServerContext) {
  const dir = join(ctx.config.data_dir, BACKUP_DIR);
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => BACKUP_NAME.test(n));
  } catch {
    // no backup yet
  }
  return names
    .map((name) => {
      const st = statSync(join(dir, name));
      return { name, size: st.size, at: st.mtime };
    })
    .sort((a, b) => b.at.getTime() - a.at.getTime());
}

function render(c: WebContext, ctx: ServerContext, services: WebServices, notice: { kind: 'ok' | 'error'; text: string } | null = null, status: 200 | 400 | 500 = 200) {
  const list = backups(ctx);
  const can = ctx.config.store.backend === 'sqlite' && services.backup;
  return page(c, {
    title: 'Backups',
    notice,
    status,
    body: html`
${can
  ? html`<form method="post" action="/admin/backups" class="stack">${csrfField(c)}<p>A backup is a consistent copy of the whole store (mail, accounts, keys), taken while the server runs.</p><div><button type="submit">Back up now</button></div></form>`
  : html`<p>Backups need the SQLite store (store.backend = "sqlite").</p>`}
${list.length
  ? html`<div class="scroll"><table class="stack-narrow"><thead><tr><th scope="col">File</th><th scope="col">Size</th><th scope="col">Made</th></tr></thead>
  <tbody>${list.map((b) => html`<tr><td data-label="File"><a href="/admin/backups/${b.name}" download>${b.name}</a></td><td data-label="Size">${formatSize(b.size)}</td><td data-label="Made">${formatDate(b.at)}</td></tr>`)}</tbody></table></div>
  <p class="muted">Kept in <code>${join(ctx.config.data_dir, BACKUP_DIR)}</code>. To restore: stop the server, copy the file to <code>letterbox.db</code> in the data directory (remove <code>letterbox.db-wal</code> and <code>-shm</code>), start again.</p>`
  : html`<p class="muted">No backups yet.</p>`}`,
  });
}

export const adminBackups: WebFeature = {
  name: 'admin-backups',
  nav: [{ area: 'admin', label: 'Backups', href: '/admin/backups', order: 60 }],
  routes(app, ctx, services) {
    app.get('/admin/backups', (c) => render(c, ctx, services));
    app.post('/admin/backups', async (c) => {
      if (ctx.config.store.backend !== 'sqlite' || !services.backup) return render(c, ctx, services, { kind: 'error', text: 'Backups need the SQLite store.' }, 400);
      try {
        const name = await services.backup();
        ctx.log.info({ file: name, admin: c.get('user')!.account.address }, 'web admin: backup made');
        return render(c, ctx, services, { kind: 'ok', text: `Backup ${name} made.` });
      } catch (e) {
        ctx.log.error({ err: (e as Error).message }, `web admin: backup failed: ${(e as Error).message}`);
        return render(c, ctx, services, { kind: 'error', text: `The backup failed: ${(e as Error).message}` }, 500);
      }
    });
    app.get('/admin/backups/:name', (c) => {
      const name = c.req.param('name');
      const found = BACKUP_NAME.test(name) && backups(ctx).find((b) => b.name === name);
      if (!found) return page(c, { title: 'No such backup', status: 404, body: html`<p><a href="/admin/backups">All backups</a></p>` });
      const stream = Readable.toWeb(createReadStream(join(ctx.config.data_dir, BACKUP_DIR, name))) as ReadableStream;
      return c.body(stream, 200, {
        'Content-Type': 'application/vnd.sqlite3',
        'Content-Length': String(found.size),
        'Content-Disposition': `attachment; filename="${name}"`,
      });
    });
  },
};
