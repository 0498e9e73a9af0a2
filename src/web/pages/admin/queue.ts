/** /admin/queue: outbound mail waiting for delivery, with its last error; retry now or remove (no bounce). */
import { html } from 'hono/html';
import type { WebContext, WebFeature } from '../../kit/types.js';
import type { ServerContext } from '../../../context.js';
import { csrfField, formatDate, page } from '../../kit/html.js';
import { formatSize } from '../../../admin/validate.js';
import { field, formOf } from '../../kit/forms.js';

type Notice = { kind: 'ok' | 'error'; text: string } | null;

async function list(c: WebContext, ctx: ServerContext, notice: Notice = null, status: 200 | 400 = 200) {
  const items = (await ctx.store.listQueue()).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  return page(c, {
    title: 'Outbound queue',
    notice,
    status,
    body: items.length
      ? html`
<form method="post" action="/admin/queue/retry" class="inline">${csrfField(c)}<input type="hidden" name="id" value="*"><button type="submit" class="secondary">Retry all now</button></form>
<div class="scroll"><table class="stack-narrow">
  <thead><tr><th scope="col">Id</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Size</th><th scope="col">Queued</th><th scope="col">Attempts</th><th scope="col">Next attempt</th><th scope="col">Last error</th><th scope="col"><span class="muted">Action</span></th></tr></thead>
  <tbody>${items.map(
    (q) => html`<tr>
      <td data-label="Id"><code>${q.id}</code></td>
      <td data-label="From">${q.from || html`<span class="muted">&lt;&gt; (bounce)</span>`}</td>
      <td data-label="To">${q.recipients.join(', ')}</td>
      <td data-label="Size">${formatSize(q.size)}</td>
      <td data-label="Queued">${formatDate(q.createdAt)}</td>
      <td data-label="Attempts">${q.attempts}</td>
      <td data-label="Next">${formatDate(q.nextAttemptAt)}</td>
      <td data-label="Last error">${q.lastError ?? html`<span class="muted">none</span>`}</td>
      <td>
        <form method="post" action="/admin/queue/retry" class="inline">${csrfField(c)}<input type="hidden" name="id" value="${q.id}"><button type="submit" class="secondary" aria-label="Retry ${q.id}">Retry</button></form>
        <form method="post" action="/admin/queue/remove" class="inline">${csrfField(c)}<input type="hidden" name="id" value="${q.id}"><button type="submit" class="danger" aria-label="Remove ${q.id}">Remove</button></form>
      </td>
    </tr>`,
  )}</tbody></table></div>`
      : html`<p>The queue is empty: all outbound mail has been delivered.</p>`,
  });
}

export const adminQueue: WebFeature = {
  name: 'admin-queue',
  nav: [{ area: 'admin', label: 'Queue', href: '/admin/queue', order: 50 }],
  routes(app, ctx) {
    app.get('/admin/queue', (c) => list(c, ctx));
    app.post('/admin/queue/retry', async (c) => {
      const id = field(await formOf(c), 'id');
      const items = id === '*' ? await ctx.store.listQueue() : [await ctx.store.getQueueItem(id)].filter((q) => q !== null);
      if (!items.length) return list(c, ctx, { kind: 'error', text: 'No such message in the queue (delivered meanwhile?).' }, 400);
      const now = new Date();
      for (const q of items) await ctx.store.updateQueueItem(q.id, { nextAttemptAt: now });
      ctx.log.info({ ids: items.map((q) => q.id), admin: c.get('user')!.account.address }, 'web admin: queue retry');
      return list(c, ctx, { kind: 'ok', text: `${items.length} message${items.length === 1 ? '' : 's'} will be retried at the next queue pass.` });
    });
    app.post('/admin/queue/remove', async (c) => {
      const id = field(await formOf(c), 'id');
      if (!(await ctx.store.getQueueItem(id))) return list(c, ctx, { kind: 'error', text: 'No such message in the queue (delivered meanwhile?).' }, 400);
      await ctx.store.removeQueueItem(id);
      ctx.log.info({ id, admin: c.get('user')!.account.address }, 'web admin: queued message removed');
      return list(c, ctx, { kind: 'ok', text: `Removed ${id} from the queue (no bounce sent).` });
    });
  },
};
