/**
 * verifyStore: checks a store through the contract alone, so it works on every backend
 * (`letterbox verify`, and on a backup file opened read-only):
 *   - every message's bytes against the content hash recorded when it was stored, its
 *     recorded size, and its MIME index (../mime/check.ts);
 *   - UID/MODSEQ invariants per mailbox: UIDs ascend, are below UIDNEXT and were never
 *     expunged; MODSEQs are at most HIGHESTMODSEQ; nothing expunged after HIGHESTMODSEQ;
 *     flags normalised; POP3 ids (guids) unique within the account;
 *   - the outbound queue: each item's bytes present and of the recorded size, recipients
 *     present, its account still there;
 *   - accounts, aliases and domains refer to each other;
 *   - then the backend's own checks (store.checkStorage()).
 * Reads run while a server may be writing, so each check reads in an order that a
 * concurrent commit cannot turn into a false alarm (e.g. UIDNEXT after the messages).
 * Memory stays bounded: messages are read in slices, bodies one at a time.
 */
import { createHash } from 'node:crypto';
import { checkIndex } from '../mime/check.js';
import type { Store } from './types.js';
import { normaliseFlags } from './util.js';

export interface VerifyOptions {
  /** called with the number of messages checked since the last call, and what is being checked */
  onProgress?: (messages: number, where: string) => void;
}

export interface VerifyReport {
  problems: string[];
  accounts: number;
  mailboxes: number;
  messages: number;
  bytes: number;
  queueItems: number;
}

/** messages read per slice */
const SLICE = 256;

/** how many messages the verification will read (for a progress bar) */
export async function countMessages(store: Store): Promise<number> {
  let n = 0;
  for (const a of await store.listAccounts())
    for (const mb of await store.listMailboxes(a.id)) n += (await store.mailboxStatus(a.id, mb.id)).messages;
  return n;
}

export async function verifyStore(store: Store, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const report: VerifyReport = { problems: [], accounts: 0, mailboxes: 0, messages: 0, bytes: 0, queueItems: 0 };
  const problem = (s: string) => report.problems.push(s);
  const domains = new Set((await store.listDomains()).map((d) => d.name));
  const accounts = await store.listAccounts();
  const accountIds = new Set(accounts.map((a) => a.id));

  for (const account of accounts) {
    report.accounts++;
    const who = account.address;
    if (!domains.has(account.address.slice(account.address.lastIndexOf('@') + 1))) problem(`${who}: its domain does not exist`);
    const guids = new Map<string, string>();
    const mailboxes = await store.listMailboxes(account.id);
    if (!mailboxes.some((m) => m.name === 'INBOX')) problem(`${who}: has no INBOX`);
    const names = new Set<string>();
    for (const before of mailboxes) {
      report.mailboxes++;
      const where = `${who} ${before.name}`;
      if (names.has(before.name)) problem(`${where}: two mailboxes have this name`);
      names.add(before.name);
      if (!Number.isInteger(before.uidValidity) || before.uidValidity < 1 || before.uidValidity > 0xffffffff)
        problem(`${where}: UIDVALIDITY ${before.uidValidity} is not a non-zero 32-bit number`);
      // expunged first: a UID expunged by then can never come back, whatever commits meanwhile
      const expunged = new Set(await store.expungedSince(account.id, before.id, 0));
      const snap = await store.snapshot(account.id, before.id);
      const uids = Array.from(snap.uids);
      let prev = 0;
      for (const u of uids) {
        if (u <= prev) problem(`${where}: UID ${u} follows UID ${prev} (UIDs must strictly ascend)`);
        if (expunged.has(u)) problem(`${where}: UID ${u} exists and is recorded as expunged`);
        prev = u;
      }
      let maxModseq = 0;
      for (let i = 0; i < uids.length; i += SLICE) {
        const slice = uids.slice(i, i + SLICE);
        const set: Array<[number, number]> = [[slice[0]!, slice[slice.length - 1]!]];
        const metas = await store.getMessagesWithIndex(account.id, before.id, set);
        const hashes = new Map((await store.contentHashes(account.id, before.id, set)).map((h) => [h.uid, h.sha256]));
        for (const m of metas) {
          const at = `${where} UID ${m.uid}`;
          maxModseq = Math.max(maxModseq, m.modseq);
          if (!Number.isInteger(m.modseq) || m.modseq < 1) problem(`${at}: MODSEQ ${m.modseq} is not a positive integer`);
          const norm = normaliseFlags(m.flags);
          if (norm.length !== m.flags.length || norm.some((f, k) => f !== m.flags[k])) problem(`${at}: flags ${JSON.stringify(m.flags)} are not normalised`);
          if (!m.guid) problem(`${at}: has no POP3 id (guid)`);
          else if (guids.has(m.guid)) problem(`${at}: POP3 id ${m.guid} is also used by ${guids.get(m.guid)}`);
          else guids.set(m.guid, at);
          let raw: Buffer;
          try {
            raw = await store.getRaw(account.id, before.id, m.uid);
          } catch (e) {
            if ((e as { code?: string }).code === 'EXPUNGED') continue; // expunged while we read
            problem(`${at}: its bytes cannot be read (${(e as Error).message})`);
            continue;
          }
          report.messages++;
          report.bytes += raw.length;
          if (raw.length !== m.size) problem(`${at}: recorded size ${m.size}, stored bytes ${raw.length}`);
          const recorded = hashes.get(m.uid);
          if (recorded === undefined || recorded === null) problem(`${at}: no content hash was recorded`);
          else {
            const actual = createHash('sha256').update(raw).digest('hex');
            if (actual !== recorded) problem(`${at}: bytes do not match the content hash recorded at delivery (${recorded.slice(0, 12)}…, now ${actual.slice(0, 12)}…)`);
          }
          for (const p of checkIndex(raw, m.index)) problem(`${at}: MIME index: ${p}`);
        }
        opts.onProgress?.(metas.length, where);
      }
      // read after the messages: UIDNEXT and HIGHESTMODSEQ only grow
      const after = (await store.listMailboxes(account.id)).find((x) => x.id === before.id);
      if (!after) continue; // deleted meanwhile
      if (prev >= after.uidNext) problem(`${where}: UID ${prev} is not below UIDNEXT ${after.uidNext}`);
      for (const u of expunged) if (u >= after.uidNext) problem(`${where}: expunged UID ${u} is not below UIDNEXT ${after.uidNext}`);
      if (maxModseq > after.highestModseq) problem(`${where}: a message has MODSEQ ${maxModseq}, above HIGHESTMODSEQ ${after.highestModseq}`);
      const late = await store.expungedSince(account.id, before.id, after.highestModseq);
      if (late.length > 0) problem(`${where}: ${late.length} expunges are recorded with a MODSEQ above HIGHESTMODSEQ ${after.highestModseq}`);
    }
    for (const r of await store.listRetained(account.id)) {
      if (r.purgeAfter.getTime() < r.deletedAt.getTime()) problem(`${who}: POP3-retained message ${r.guid} is purged before it was deleted`);
    }
  }

  for (const alias of await store.listAliases()) {
    const domain = alias.source.slice(alias.source.lastIndexOf('@') + 1);
    if (!domains.has(domain)) problem(`alias ${alias.source}: its domain does not exist`);
    if (alias.destinations.length === 0) problem(`alias ${alias.source}: has no destination`);
  }

  for (const item of await store.listQueue()) {
    report.queueItems++;
    const at = `queue item ${item.id}`;
    if (item.recipients.length === 0) problem(`${at}: has no recipient left`);
    if (item.accountId !== null && !accountIds.has(item.accountId)) problem(`${at}: its account ${item.accountId} no longer exists`);
    if (!(item.nextAttemptAt.getTime() > 0) || !(item.createdAt.getTime() > 0)) problem(`${at}: has an invalid date`);
    try {
      const raw = await store.getQueueRaw(item.id);
      if (raw.length !== item.size) problem(`${at}: recorded size ${item.size}, stored bytes ${raw.length}`);
    } catch (e) {
      if ((e as { code?: string }).code !== 'NONEXISTENT') problem(`${at}: its bytes cannot be read (${(e as Error).message})`);
    }
  }

  for (const p of await store.checkStorage()) problem(p);
  return report;
}
