/**
 * /account/filters: the account's Sieve filter script as text, checked before it is
 * stored (the checker's line and column shown), and a vacation form.
 *
 * The vacation form writes a script named "vacation" (the vacation command, then an
 * include of the filter script) and makes it active while the reply is on; turned off,
 * the filter script is active again. The filter script edited here is the active one, or
 * "filters" when none (or the vacation script) is active — the same scripts ManageSieve
 * clients see (src/sieve/scripts.ts).
 */
import { html } from 'hono/html';
import type { WebFeature, WebContext } from '../../kit/types.js';
import { csrfField, page } from '../../kit/html.js';
import { field, formOf } from '../../kit/forms.js';
import type { ServerContext } from '../../../context.js';
import { checkScript } from '../../../sieve/index.js';
import { ScriptError, SieveScripts } from '../../../sieve/scripts.js';
import type { Account } from '../../../store/types.js';

const VACATION = 'vacation';
const FILTERS = 'filters';
const FORM_NS = 'web.vacation';

interface VacationForm {
  enabled: boolean;
  subject: string;
  message: string;
  days: number;
}

const DEFAULT_FORM: VacationForm = { enabled: false, subject: 'Out of office', message: '', days: 7 };

/** a Sieve quoted string (RFC 5228 §2.4.2): \\ and \" escaped, line breaks kept */
export function sieveQuote(s: string): string {
  return `"${s.replace(/\r?\n/g, '\r\n').replace(/["\\]/g, (c) => '\\' + c)}"`;
}

export function vacationScript(v: VacationForm, filters: string): string {
  return (
    '# written by the vacation form of the web page; edit it there\r\n' +
    'require ["vacation", "include"];\r\n' +
    `vacation :days ${v.days} :subject ${sieveQuote(v.subject)} ${sieveQuote(v.message)};\r\n` +
    `include :optional ${sieveQuote(filters)};\r\n`
  );
}

function scriptsOf(ctx: ServerContext): SieveScripts {
  return new SieveScripts(ctx.store, { maxScriptBytes: ctx.config.sieve.max_script_bytes, maxScripts: ctx.config.sieve.max_scripts });
}

async function state(ctx: ServerContext, account: Account) {
  const scripts = scriptsOf(ctx);
  const active = await scripts.activeName(account.id);
  const name = active && active !== VACATION ? active : FILTERS;
  const text = (await scripts.get(account.id, name)) ?? '';
  const saved = (await ctx.store.kvGet(FORM_NS, account.id, ['form'])).get('form');
  const form: VacationForm = { ...DEFAULT_FORM, ...(saved ? (JSON.parse(saved.value) as Partial<VacationForm>) : {}), enabled: active === VACATION };
  return { scripts, name, text, form };
}

function body(c: WebContext, s: { name: string; text: string; form: VacationForm }, error?: { line: number; column: number; message: string }) {
  const v = s.form;
  return html`
<section aria-labelledby="vacation-h">
<h2 id="vacation-h">Vacation reply</h2>
<form method="post" action="/account/filters/vacation" class="stack">
  ${csrfField(c)}
  <div><label><input type="checkbox" name="enabled" value="1"${v.enabled ? html` checked` : ''}> Answer incoming mail automatically</label></div>
  <div><label for="subject">Subject</label><input type="text" id="subject" name="subject" value="${v.subject}" maxlength="200"></div>
  <div><label for="message">Message</label><textarea id="message" name="message" rows="6" cols="72" maxlength="4000">${v.message}</textarea></div>
  <div><label for="days">Answer each sender at most once every</label><input type="number" id="days" name="days" min="1" max="90" value="${v.days}"> days</div>
  <p class="muted">Mailing lists, automatic mail and messages not addressed to you get no reply.</p>
  <div><button type="submit">Save vacation reply</button></div>
</form>
</section>
<section aria-labelledby="script-h">
<h2 id="script-h">Filter script</h2>
<p class="muted">Sieve (RFC 5228) script "${s.name}", run for every message you receive. Any ManageSieve client edits the same script.</p>
${error ? html`<p class="notice error" role="alert" id="script-error">Line ${error.line}, column ${error.column}: ${error.message}</p>` : ''}
<form method="post" action="/account/filters" class="stack wide">
  ${csrfField(c)}
  <div><label for="script">Script</label><textarea id="script" name="script" rows="18" cols="90" class="mono" spellcheck="false"${error ? html` aria-describedby="script-error"` : ''}>${s.text}</textarea></div>
  <div><button type="submit">Check and save</button></div>
</form>
</section>`;
}

export const filtersPage: WebFeature = {
  name: 'filters',
  nav: [{ area: 'account', label: 'Filters', href: '/account/filters', order: 35 }],
  routes(app, ctx) {
    app.get('/account/filters', async (c) => page(c, { title: 'Filters and vacation', body: body(c, await state(ctx, c.get('user')!.account)) }));

    app.post('/account/filters', async (c) => {
      const account = c.get('user')!.account;
      const s = await state(ctx, account);
      const text = field(await formOf(c), 'script');
      const verdict = checkScript(text);
      if (!verdict.ok) {
        const e = verdict.error;
        return page(c, { title: 'Filters and vacation', status: 400, notice: { kind: 'error', text: 'The script was not saved: it has an error.' }, body: body(c, { ...s, text }, { line: e.line, column: e.column, message: e.reason }) });
      }
      try {
        await s.scripts.put(account.id, s.name, text);
        if (!s.form.enabled) await s.scripts.setActive(account.id, s.name);
      } catch (e) {
        if (!(e instanceof ScriptError)) throw e;
        return page(c, { title: 'Filters and vacation', status: 400, notice: { kind: 'error', text: e.message }, body: body(c, { ...s, text }) });
      }
      ctx.log.info({ user: account.address, script: s.name }, 'web: Sieve script saved');
      return page(c, { title: 'Filters and vacation', notice: { kind: 'ok', text: 'Script checked and saved.' }, body: body(c, { ...s, text }) });
    });

    app.post('/account/filters/vacation', async (c) => {
      const account = c.get('user')!.account;
      const s = await state(ctx, account);
      const f = await formOf(c);
      const days = Number(field(f, 'days'));
      const form: VacationForm = {
        enabled: field(f, 'enabled') === '1',
        subject: field(f, 'subject').replace(/[\r\n]+/g, ' ').trim().slice(0, 200) || DEFAULT_FORM.subject,
        message: field(f, 'message').slice(0, 4000),
        days: Number.isInteger(days) && days >= 1 && days <= 90 ? days : DEFAULT_FORM.days,
      };
      if (form.enabled && form.message.trim() === '') {
        return page(c, { title: 'Filters and vacation', status: 400, notice: { kind: 'error', text: 'Write the message to send.' }, body: body(c, { ...s, form }) });
      }
      await ctx.store.kvSet(FORM_NS, account.id, [{ key: 'form', value: JSON.stringify({ ...form, enabled: undefined }) }]);
      if (form.enabled) {
        await s.scripts.put(account.id, VACATION, vacationScript(form, s.name));
        await s.scripts.setActive(account.id, VACATION);
      } else {
        const filters = await s.scripts.get(account.id, s.name);
        await s.scripts.setActive(account.id, filters === null ? '' : s.name);
      }
      ctx.log.info({ user: account.address, enabled: form.enabled }, 'web: vacation reply saved');
      return page(c, { title: 'Filters and vacation', notice: { kind: 'ok', text: form.enabled ? 'Vacation reply is on.' : 'Vacation reply is off.' }, body: body(c, { ...s, form }) });
    });
  },
};
