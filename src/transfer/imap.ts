/**
 * Import from a live IMAP server (imapflow as the client): every selectable folder, with
 * flags, keywords and internal dates, UIDs and UIDVALIDITY kept where the target allows
 * (sink.ts). Like imapsync, a second run is incremental: per folder only UIDs above the
 * last one imported are fetched, and the flags of messages imported before are brought in
 * line with the source (the source wins). An interrupted run resumes where its last
 * committed batch ended (imap-state.ts); messages of a batch committed just before the
 * interruption are recognised by their bytes and not imported twice.
 *
 * Memory: one folder's list of new UIDs with their sizes, and one batch of message bodies
 * (at most `batchMessages` messages or `batchBytes` bytes).
 */
import { ImapFlow } from 'imapflow';
import type { Account, Flag, SpecialUse, Store } from '../store/types.js';
import { normaliseFlags, sameFlags } from '../store/util.js';
import { folderKey, readMap, readState, resetFolder, writeState, type FolderState } from './imap-state.js';
import { importFolder } from './sink.js';
import { TransferError, type FolderReport, type SourceMessage, type TransferProgress } from './types.js';

export interface ImapSourceOptions {
  host: string;
  port: number;
  /** "tls": implicit TLS (993); "starttls": upgrade (143, required); "none": plaintext */
  security: 'tls' | 'starttls' | 'none';
  user: string;
  pass: string;
  /** accept a certificate that does not verify (self-signed test servers) */
  insecure?: boolean;
}

export interface ImapImportOptions {
  /** only these folders (source names); default all */
  folders?: string[];
  keepUids?: boolean;
  batchMessages?: number;
  batchBytes?: number;
  maxMessageBytes: number;
  progress?: TransferProgress;
  /** a message larger than maxMessageBytes was skipped */
  onTooLarge?: (folder: string, uid: number, size: number) => void;
}

export interface ImapFolderReport extends FolderReport {
  /** messages imported on earlier runs whose flags were brought in line with the source */
  flagsUpdated: number;
}

export function connectImap(o: ImapSourceOptions): ImapFlow {
  return new ImapFlow({
    host: o.host,
    port: o.port,
    secure: o.security === 'tls',
    doSTARTTLS: o.security === 'starttls' ? true : o.security === 'none' ? false : undefined,
    auth: { user: o.user, pass: o.pass },
    tls: { rejectUnauthorized: !o.insecure, servername: o.host },
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: 30_000,
    socketTimeout: 300_000,
  });
}

const SPECIAL: ReadonlySet<string> = new Set(['\\Sent', '\\Drafts', '\\Trash', '\\Junk', '\\Archive']);

interface Meta {
  uid: number;
  flags: Flag[];
  internalDate?: Date;
  size: number;
}

function toMeta(m: { uid: number; flags?: Set<string>; internalDate?: Date | string; size?: number }): Meta {
  const d = m.internalDate === undefined ? undefined : new Date(m.internalDate);
  return { uid: m.uid, flags: normaliseFlags([...(m.flags ?? [])]), internalDate: d && Number.isFinite(d.getTime()) ? d : undefined, size: m.size ?? 0 };
}

/** Imports every (or each named) folder of the connected server into `account`. */
export async function importImap(store: Store, account: Account, client: ImapFlow, source: string, opts: ImapImportOptions): Promise<ImapFolderReport[]> {
  const reports: ImapFolderReport[] = [];
  const listed = await client.list();
  const folders = listed.filter((f) => !f.flags.has('\\Noselect') && !f.flags.has('\\NonExistent'));
  if (opts.folders) {
    for (const want of opts.folders) if (!folders.some((f) => f.path === want)) throw new TransferError(`the source server has no folder ${want}`);
  }
  const batchMessages = opts.batchMessages ?? 100;
  const batchBytes = opts.batchBytes ?? 16 * 1024 * 1024;
  for (const f of folders) {
    if (opts.folders && !opts.folders.includes(f.path)) continue;
    const name = f.path.toUpperCase() === 'INBOX' ? 'INBOX' : f.path.split(f.delimiter || '/').join('/');
    const key = folderKey(source, f.path);
    const lock = await client.getMailboxLock(f.path, { readOnly: true });
    try {
      const box = client.mailbox;
      if (!box) throw new TransferError(`cannot open ${f.path} on the source server`);
      const uidValidity = Number(box.uidValidity);
      let state = await readState(store, account.id, key);
      if (state && state.uidValidity !== uidValidity) {
        // the source renumbered the folder: start over (duplicates are still recognised by their bytes)
        await resetFolder(store, account.id, key);
        state = null;
      }
      const lastUid = state?.lastUid ?? 0;
      const metas: Meta[] = [];
      const old: Meta[] = [];
      if (box.exists > 0) {
        for (const m of await client.fetchAll('1:*', { uid: true, flags: true, internalDate: true, size: true }, { uid: true })) {
          const meta = toMeta(m);
          (meta.uid > lastUid ? metas : old).push(meta);
        }
      }
      metas.sort((a, b) => a.uid - b.uid);
      opts.progress?.addTotal(metas.length);

      const specialUse = f.specialUse && SPECIAL.has(f.specialUse) ? (f.specialUse as SpecialUse) : null;
      const folderState: FolderState = { source, folder: f.path, uidValidity, lastUid, target: state?.target ?? '' };
      const report = await importFolder(
        store,
        account,
        {
          name,
          specialUse,
          uidValidity,
          subscribed: f.subscribed,
          count: metas.length,
          messages: () => bodies(client, metas, { batchMessages, batchBytes, maxMessageBytes: opts.maxMessageBytes, tooLarge: (m) => opts.onTooLarge?.(f.path, m.uid, m.size) }),
        },
        {
          mailbox: state?.target || undefined,
          keepUids: opts.keepUids,
          batchMessages,
          batchBytes,
          progress: opts.progress,
          async onCommitted(pairs) {
            const known = pairs.filter((p): p is [number, number] => p[0] !== undefined);
            if (known.length === 0) return;
            folderState.lastUid = Math.max(folderState.lastUid, ...known.map((p) => p[0]));
            await writeState(store, account.id, key, folderState, known);
          },
        },
      );
      folderState.target = report.target;
      if (!state || state.target !== report.target) await writeState(store, account.id, key, folderState, []);
      const flagsUpdated = old.length > 0 ? await syncFlags(store, account, report.target, await readMap(store, account.id, key), old) : 0;
      reports.push({ ...report, flagsUpdated });
    } finally {
      lock.release();
    }
  }
  return reports;
}

/** message bodies in UID order, fetched a batch at a time */
async function* bodies(
  client: ImapFlow,
  metas: Meta[],
  o: { batchMessages: number; batchBytes: number; maxMessageBytes: number; tooLarge: (m: Meta) => void },
): AsyncIterable<SourceMessage> {
  let i = 0;
  while (i < metas.length) {
    const batch: Meta[] = [];
    let bytes = 0;
    while (i < metas.length && batch.length < o.batchMessages && (batch.length === 0 || bytes + metas[i]!.size <= o.batchBytes)) {
      const m = metas[i++]!;
      if (m.size > o.maxMessageBytes) {
        o.tooLarge(m);
        continue;
      }
      batch.push(m);
      bytes += m.size;
    }
    if (batch.length === 0) continue;
    const got = new Map<number, Buffer>();
    for (const r of await client.fetchAll(batch.map((m) => m.uid).join(','), { uid: true, source: true }, { uid: true })) if (r.source) got.set(r.uid, r.source);
    for (const m of batch) {
      const raw = got.get(m.uid);
      if (!raw) continue; // expunged on the source meanwhile
      yield { raw, flags: m.flags, internalDate: m.internalDate, uid: m.uid };
    }
  }
}

/** Brings the flags of earlier imported messages in line with the source; returns how many changed. */
async function syncFlags(store: Store, account: Account, target: string, map: Map<number, number>, source: Meta[]): Promise<number> {
  const mb = await store.getMailbox(account.id, target);
  if (!mb || map.size === 0) return 0;
  const want = new Map<number, Flag[]>();
  for (const m of source) {
    const t = map.get(m.uid);
    if (t !== undefined) want.set(t, m.flags);
  }
  const targets = [...want.keys()].sort((a, b) => a - b);
  const bySet = new Map<string, number[]>();
  for (let i = 0; i < targets.length; i += 1000) {
    const slice = targets.slice(i, i + 1000);
    for (const m of await store.getMessages(account.id, mb.id, slice)) {
      const flags = want.get(m.uid)!;
      if (sameFlags(flags, m.flags)) continue;
      const k = JSON.stringify([...flags].sort());
      const list = bySet.get(k);
      if (list) list.push(m.uid);
      else bySet.set(k, [m.uid]);
    }
  }
  let n = 0;
  for (const [k, uids] of bySet) {
    const r = await store.storeFlags(account.id, mb.id, uids, 'replace', JSON.parse(k) as Flag[]);
    n += r.updated.length;
  }
  return n;
}
