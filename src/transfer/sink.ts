/**
 * importFolder: one source folder into one account's mailbox, through the store contract
 * (any backend), in bounded memory: messages are read one at a time and committed in
 * batches (at most `batchMessages` messages or `batchBytes` bytes held at once).
 *
 * - Target mailbox: the source's special use (IMAP SPECIAL-USE) or a well-known name
 *   ("Sent Items", "Deleted Messages", "Spam", …) maps onto the account's special mailbox,
 *   as imapsync's --automap does; anything else keeps its name and is created if missing.
 * - UIDs: when the source has a UIDVALIDITY and the target mailbox never held a message
 *   (or already carries that UIDVALIDITY from an earlier run of the same import), messages
 *   keep their UIDs and the mailbox takes the UIDVALIDITY, so IMAP caches and Dovecot-style
 *   POP3 UIDLs stay valid. Otherwise messages get new UIDs (the report says so).
 * - Duplicates: a message whose exact bytes are already in the target mailbox (by the
 *   content hash recorded at delivery) is not imported again, one target copy per source
 *   copy. This makes every import safe to repeat and an interrupted one safe to resume.
 */
import { createHash } from 'node:crypto';
import type { Account, SpecialUse, Store } from '../store/types.js';
import type { ImportInput } from '../store/integrity-types.js';
import { normaliseFlags, normaliseMailboxName } from '../store/util.js';
import type { FolderReport, SourceFolder, TransferProgress } from './types.js';

const WELL_KNOWN: ReadonlyArray<[SpecialUse, RegExp]> = [
  ['\\Sent', /^(sent|sent items|sent messages|sent mail|gesendet|envoy[ée]s)$/i],
  ['\\Trash', /^(trash|deleted items|deleted messages|bin|papierkorb|corbeille)$/i],
  ['\\Drafts', /^(drafts?|entw[üu]rfe|brouillons)$/i],
  ['\\Junk', /^(junk|spam|junk e-?mail|bulk mail)$/i],
  ['\\Archive', /^(archives?|archiv)$/i],
];

export interface ImportFolderOptions {
  progress?: TransferProgress;
  /** import into this mailbox instead of the mapped one */
  mailbox?: string;
  /** keep source UIDs where possible (default true) */
  keepUids?: boolean;
  batchMessages?: number;
  batchBytes?: number;
  /** after each committed batch: [source UID, target UID] of every message now in the target (imported or found) */
  onCommitted?: (pairs: Array<[number | undefined, number]>) => Promise<void>;
}

/** The name a source folder is imported as in `account`. */
export async function targetName(store: Store, account: Account, folder: SourceFolder): Promise<string> {
  if (folder.name.toUpperCase() === 'INBOX') return 'INBOX';
  const use = folder.specialUse ?? (folder.name.includes('/') ? null : WELL_KNOWN.find(([, re]) => re.test(folder.name))?.[0]);
  if (use && use !== '\\All' && use !== '\\Flagged') {
    const special = await store.getSpecialMailbox(account.id, use);
    if (special) return special.name;
  }
  return normaliseMailboxName(folder.name);
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** content hash → target UIDs, of the messages already in the mailbox (read in slices) */
async function existingHashes(store: Store, accountId: number, mailboxId: number): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  const { uids } = await store.snapshot(accountId, mailboxId);
  for (let i = 0; i < uids.length; i += 1000) {
    const slice = uids.subarray(i, i + 1000);
    for (const h of await store.contentHashes(accountId, mailboxId, [[slice[0]!, slice[slice.length - 1]!]])) {
      const key = h.sha256 ?? sha(await store.getRaw(accountId, mailboxId, h.uid));
      const list = out.get(key);
      if (list) list.push(h.uid);
      else out.set(key, [h.uid]);
    }
  }
  return out;
}

export async function importFolder(store: Store, account: Account, folder: SourceFolder, opts: ImportFolderOptions = {}): Promise<FolderReport> {
  const target = opts.mailbox ? normaliseMailboxName(opts.mailbox) : await targetName(store, account, folder);
  const report: FolderReport = { source: folder.name, target, imported: 0, duplicates: 0, uidsKept: false, notes: [] };
  let mb = await store.getMailbox(account.id, target);
  if (!mb) {
    await store.createMailbox(account.id, target);
    mb = (await store.getMailbox(account.id, target))!;
  }
  if (folder.subscribed && !mb.subscribed) await store.setSubscribed(account.id, target, true);

  const keep =
    opts.keepUids !== false && folder.uidValidity !== undefined && (mb.uidNext === 1 || mb.uidValidity === folder.uidValidity);
  if (folder.uidValidity !== undefined && opts.keepUids !== false && !keep)
    report.notes.push(`${target} already held messages: new UIDs were given (clients resynchronise this mailbox; Dovecot-style POP3 UIDLs change)`);
  report.uidsKept = keep;
  let setValidity = keep && mb.uidValidity !== folder.uidValidity;
  const have = mb.uidNext > 1 ? await existingHashes(store, account.id, mb.id) : new Map<string, number[]>();

  const batchMessages = opts.batchMessages ?? 100;
  const batchBytes = opts.batchBytes ?? 16 * 1024 * 1024;
  let batch: Array<ImportInput & { src?: number }> = [];
  let bytes = 0;
  let found: Array<[number | undefined, number]> = [];
  let floor = mb.uidNext;

  const flush = async () => {
    if (batch.length === 0 && found.length === 0) return;
    const inputs = batch;
    batch = [];
    bytes = 0;
    const pairs = found;
    found = [];
    if (inputs.length > 0) {
      const results = await store.importMessages(
        account.id,
        mb!.id,
        inputs.map(({ src: _src, ...i }) => i),
        setValidity ? { uidValidity: folder.uidValidity } : undefined,
      );
      setValidity = false;
      results.forEach((r, i) => pairs.push([inputs[i]!.src, r.uid]));
      report.imported += inputs.length;
    }
    await opts.onCommitted?.(pairs);
  };

  for await (const m of folder.messages()) {
    const hit = have.size > 0 ? have.get(sha(m.raw)) : undefined;
    if (hit && hit.length > 0) {
      found.push([m.uid, hit.shift()!]);
      report.duplicates++;
    } else {
      let uid: number | undefined;
      if (keep && m.uid !== undefined && m.uid >= floor) uid = m.uid;
      floor = (uid ?? floor) + 1;
      batch.push({ raw: m.raw, flags: normaliseFlags(m.flags), internalDate: m.internalDate, uid, src: m.uid });
      bytes += m.raw.length;
    }
    opts.progress?.advance(1, target);
    if (batch.length >= batchMessages || bytes >= batchBytes || found.length >= 1000) await flush();
  }
  await flush();
  // an empty folder still takes over its UIDVALIDITY (clients of the old server keep their cache)
  if (setValidity) await store.importMessages(account.id, mb.id, [], { uidValidity: folder.uidValidity });
  return report;
}
