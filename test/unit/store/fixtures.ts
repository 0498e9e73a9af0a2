/** Small message builders and seeding helpers for the store tests. */
import type { Account, Store } from '../../../src/store/types.js';

let counter = 0;

export function rawMessage(opts: { subject?: string; from?: string; to?: string; date?: string; body?: string; extra?: string } = {}): Buffer {
  const lines = [
    `From: ${opts.from ?? 'Alice <alice@example.org>'}`,
    `To: ${opts.to ?? 'bob@example.test'}`,
    `Subject: ${opts.subject ?? 'hello'}`,
    ...(opts.date === '' ? [] : [`Date: ${opts.date ?? 'Mon, 01 Jan 2024 10:00:00 +0000'}`]),
    `Message-ID: <${String(++counter).padStart(8, '0')}@example.org>`,
    ...(opts.extra ? [opts.extra] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    opts.body ?? 'Hello there.',
    '',
  ];
  return Buffer.from(lines.join('\r\n'), 'utf8');
}

export async function seedAccount(store: Store, address = 'bob@example.test', opts?: { quotaBytes?: number }): Promise<Account> {
  const domain = address.slice(address.indexOf('@') + 1);
  if (!(await store.getDomain(domain))) await store.addDomain(domain);
  return store.createAccount(address, '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA', opts);
}

export async function inboxId(store: Store, accountId: number): Promise<number> {
  const m = await store.getMailbox(accountId, 'INBOX');
  if (!m) throw new Error('no INBOX');
  return m.id;
}
