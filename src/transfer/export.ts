/**
 * export: an account's mailboxes to mbox files (one per mailbox, "Work/Sub.mbox") or to a
 * Maildir++ tree with Dovecot's side files, through the store contract (any backend).
 * Messages are read in slices and written one at a time. Flags, keywords, internal dates,
 * UIDs and UIDVALIDITY go along (mbox: Status/X-Status/X-Keywords/X-UID/X-IMAPbase headers;
 * Maildir: file name letters, dovecot-keywords, dovecot-uidlist, mtime), so `letterbox
 * import` or Dovecot takes them back unchanged.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Account, Store } from '../store/types.js';
import { MaildirFolderWriter, maildirPlusPlusPath, writeSubscriptions } from './maildir.js';
import { MboxWriter } from './mbox.js';
import { TransferError, type TransferProgress } from './types.js';

export type ExportFormat = 'mbox' | 'maildir';

export interface ExportReport {
  mailboxes: number;
  messages: number;
  bytes: number;
  notes: string[];
}

const SLICE = 256;

export async function exportAccount(
  store: Store,
  account: Account,
  dest: string,
  format: ExportFormat,
  opts: { mailboxes?: string[]; progress?: TransferProgress } = {},
): Promise<ExportReport> {
  if (existsSync(dest) && readdirSync(dest).length > 0) throw new TransferError(`${dest} is not empty; export writes into a new or empty directory`);
  mkdirSync(dest, { recursive: true, mode: 0o700 });
  const all = await store.listMailboxes(account.id);
  const wanted = opts.mailboxes ? all.filter((m) => opts.mailboxes!.includes(m.name)) : all;
  for (const name of opts.mailboxes ?? []) if (!all.some((m) => m.name === name)) throw new TransferError(`${account.address} has no mailbox ${name}`);
  // INBOX first: in a Maildir++ tree it is the root the others live in
  wanted.sort((a, b) => (a.name === 'INBOX' ? -1 : b.name === 'INBOX' ? 1 : a.name < b.name ? -1 : 1));
  const report: ExportReport = { mailboxes: 0, messages: 0, bytes: 0, notes: [] };
  for (const mb of wanted) opts.progress?.addTotal((await store.mailboxStatus(account.id, mb.id)).messages);
  for (const mb of wanted) {
    const folder = { uidValidity: mb.uidValidity, uidNext: mb.uidNext };
    let writer: MboxWriter | MaildirFolderWriter;
    if (format === 'mbox') {
      const file = join(dest, ...`${mb.name}.mbox`.split('/'));
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      writer = new MboxWriter(file, folder);
    } else writer = new MaildirFolderWriter(maildirPlusPlusPath(dest, mb.name), folder);
    const { uids } = await store.snapshot(account.id, mb.id);
    for (let i = 0; i < uids.length; i += SLICE) {
      const slice = uids.subarray(i, i + SLICE);
      for (const m of await store.getMessages(account.id, mb.id, [[slice[0]!, slice[slice.length - 1]!]])) {
        let raw: Buffer;
        try {
          raw = await store.getRaw(account.id, mb.id, m.uid);
        } catch (e) {
          if ((e as { code?: string }).code === 'EXPUNGED') continue;
          throw e;
        }
        await writer.write({ raw, flags: m.flags, internalDate: m.internalDate, uid: m.uid });
        report.messages++;
        report.bytes += raw.length;
        opts.progress?.advance(1, mb.name);
      }
    }
    if (writer instanceof MboxWriter) await writer.close();
    else {
      writer.close();
      if (writer.lost.size) report.notes.push(`${mb.name}: keywords beyond the 26 a Maildir folder can name were left out: ${[...writer.lost].join(' ')}`);
    }
    report.mailboxes++;
  }
  if (format === 'maildir') {
    const subs = await store.listSubscriptions(account.id);
    writeSubscriptions(dest, subs.filter((s) => wanted.some((m) => m.name === s)));
  }
  return report;
}
