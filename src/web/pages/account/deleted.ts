/**
 * /account/deleted: messages a POP3 program deleted that the server still keeps (policy
 * "retain"), when each will be purged, and restore (one, several, all) back into INBOX,
 * byte-exact with its POP3 UIDL. Only the signed-in account's messages are listed or restored:
 * the ids in the form are looked up in that account's retained list.
 */
import { html } from 'hono/html';
import type { WebContext, WebFeature } from '../../kit/types.js';
import { csrfField, formatDate, page } from '../../kit/html.js';
import { formatSize } from '../../../admin/validate.js';
import { field, fields, formOf } from '../../kit/forms.js';

export const deletedPage: WebFeature = {
  name: 'pop3-deleted',
  nav: [{ area: 'account', label: 'Deleted over POP3', href: '/account/deleted', order: 40 }],
  routes(app, ctx) {
    const render = async (c: WebContext, notice: { kind: 'ok' | 'error'; text: string } | null, status: 200 | 400 = 200) => {
      const { account } = c.get('user')!;
      const retained = (await ctx.store.listRetained(account.id)).sort((a, b) => b.deletedAt.getTime() - a.deletedAt.getTime());
      return page(c, {
        title: 'Deleted over POP3',
        notice,
        status,
        body: retained.length
          ? html`
<p>A POP3 program deleted these messages. They are kept until the date shown, then removed for good. Restored messages go back to your INBOX for every program.</p>
<form method="post" action="/account/deleted/restore">
  ${csrfField(c)}
  <div class="scroll"><table class="stack-narrow">
    <thead><tr><th scope="col"><span class="muted">Select</span></th><th scope="col">Subject</th><th scope="col">Size</th><th scope="col">Deleted</th><th scope="col">Removed for good after</th></tr></thead>
    <tbody>
    ${retained.map(
      (r, i) => html`<tr>
        <td><input type="checkbox" name="id" value="${r.guid}" id="r${i}"></td>
        <td data-label="Subject"><label for="r${i}">${r.subject || '(no subject)'}</label></td>
        <td data-label="Size">${formatSize(r.size)}</td>
        <td data-label="Deleted">${formatDate(r.deletedAt)}</td>
        <td data-label="Removed after">${formatDate(r.purgeAfter)}</td>
      </tr>`,
    )}
    </tbody>
  </table></div>
  <p><button type="submit" name="which" value="selected">Restore selected</button> <button type="submit" name="which" value="all" class="secondary">Restore all ${retained.length}</button></p>
</form>`
          : html`<p>No deleted messages are waiting. ${account.pop3Policy === 'retain' || (!account.pop3Policy && ctx.config.pop3.delete_policy === 'retain') ? `Messages a POP3 program deletes are kept here for ${ctx.config.pop3.retention_days} days.` : ''}</p>`,
      });
    };

    app.get('/account/deleted', (c) => render(c, null));

    app.post('/account/deleted/restore', async (c) => {
      const { account } = c.get('user')!;
      const form = await formOf(c);
      const retained = new Set((await ctx.store.listRetained(account.id)).map((r) => r.guid));
      if (field(form, 'which') === 'all') {
        const n = await ctx.store.pop3Restore(account.id);
        ctx.log.info({ user: account.address, restored: n }, 'web: restored all POP3-deleted messages');
        return render(c, { kind: 'ok', text: `Restored ${n} message${n === 1 ? '' : 's'} to your INBOX.` });
      }
      const ids = fields(form, 'id');
      if (ids.length === 0) return render(c, { kind: 'error', text: 'Select the messages to restore first.' }, 400);
      const mine = ids.filter((id) => retained.has(id));
      if (mine.length !== ids.length) {
        ctx.log.warn({ user: account.address, asked: ids.length, own: mine.length }, 'web: restore named messages that are not retained for this account');
        return render(c, { kind: 'error', text: 'Some of the selected messages are no longer kept (restored or removed meanwhile). Nothing was restored; try again.' }, 400);
      }
      const n = await ctx.store.pop3Restore(account.id, mine);
      ctx.log.info({ user: account.address, restored: n }, 'web: restored POP3-deleted messages');
      return render(c, { kind: 'ok', text: `Restored ${n} message${n === 1 ? '' : 's'} to your INBOX.` });
    });
  },
};
