/**
 * Maildir trees as import sources and export targets (cr.yp.to/proto/maildir.html).
 * Layouts read: Maildir++ (Dovecot's and Courier's default: the root is INBOX, folders are
 * ".Work.Sub") and verbatim trees (mbsync "SubFolders Verbatim", Dovecot LAYOUT=fs: each
 * folder a directory with cur/ new/ tmp/, "INBOX" at the top). Flags come from the file
 * names, keywords from dovecot-keywords or courierimapkeywords/, UIDs and UIDVALIDITY from
 * dovecot-uidlist or courierimapuiddb, the internal date from the file's mtime (as Dovecot
 * does); mbsync's X-TUID tracking header is dropped (headers.ts). Each message is read
 * when it is imported, one at a time. Export writes the Maildir++ layout with
 * dovecot-uidlist, dovecot-keywords and subscriptions, so Dovecot takes it over with the
 * same UIDs.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Flag } from '../store/types.js';
import { normaliseFlags } from '../store/util.js';
import { toCrlf, toLf } from './eol.js';
import { maildirFlags, maildirInfo } from './flags.js';
import {
  baseName,
  formatDovecotKeywords,
  formatUidList,
  maildirPlusPlusDir,
  maildirPlusPlusName,
  readCourierKeywords,
  readDovecotKeywords,
  readUidList,
  verbatimName,
} from './maildir-meta.js';
import type { SourceFolder, SourceMessage } from './types.js';
import { withoutSyncHeaders } from './headers.js';

const isMaildir = (dir: string) => existsSync(join(dir, 'cur')) || existsSync(join(dir, 'new'));
const isDir = (p: string) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

interface Entry {
  path: string;
  base: string;
  info: string;
  uid?: number;
  mtimeMs: number;
}

export interface MaildirReadOptions {
  maxMessageBytes: number;
  onTooLarge?: (size: number) => void;
}

function folder(dir: string, name: string, subscribed: Set<string>, opts: MaildirReadOptions): SourceFolder {
  const uidList = readUidList(dir);
  const keywords = readDovecotKeywords(dir);
  const courier = readCourierKeywords(dir);
  const entries: Entry[] = [];
  for (const sub of ['cur', 'new']) {
    const d = join(dir, sub);
    if (!isDir(d)) continue;
    for (const f of readdirSync(d)) {
      if (f.startsWith('.')) continue;
      const path = join(d, f);
      let st;
      try {
        st = statSync(path);
      } catch {
        continue; // moved or deleted meanwhile (a live Maildir)
      }
      if (!st.isFile()) continue;
      const base = baseName(f);
      const infoAt = f.indexOf(':2,');
      entries.push({ path, base, info: infoAt >= 0 ? f.slice(infoAt + 3) : '', uid: uidList?.uids.get(base), mtimeMs: st.mtimeMs });
    }
  }
  // known UIDs first, ascending; then the rest in delivery order (mtime, then name)
  entries.sort((a, b) => {
    if (a.uid !== undefined && b.uid !== undefined) return a.uid - b.uid;
    if (a.uid !== undefined) return -1;
    if (b.uid !== undefined) return 1;
    return a.mtimeMs - b.mtimeMs || (a.base < b.base ? -1 : a.base > b.base ? 1 : 0);
  });
  return {
    name,
    uidValidity: uidList?.uidValidity,
    subscribed: subscribed.has(name),
    count: entries.length,
    async *messages(): AsyncIterable<SourceMessage> {
      for (const e of entries) {
        let size: number;
        try {
          size = statSync(e.path).size;
        } catch {
          continue;
        }
        if (size > opts.maxMessageBytes) {
          opts.onTooLarge?.(size);
          continue;
        }
        let raw: Buffer;
        try {
          raw = await readFile(e.path);
        } catch {
          continue; // gone meanwhile
        }
        const flags: Flag[] = maildirFlags(e.info, keywords);
        const kws = courier.get(e.base);
        yield { raw: toCrlf(withoutSyncHeaders(raw)), flags: kws ? normaliseFlags([...flags, ...kws]) : flags, internalDate: new Date(Math.floor(e.mtimeMs / 1000) * 1000), uid: e.uid };
      }
    },
  };
}

/** Dovecot's "subscriptions" (names with "." between levels, or "V\t2" and TAB-separated) and Courier's courierimapsubscribed */
function readSubscriptions(root: string): Set<string> {
  const out = new Set<string>();
  for (const file of ['subscriptions', 'courierimapsubscribed']) {
    let text: string;
    try {
      text = readFileSync(join(root, file), 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      const l = line.replace(/\r$/, '');
      if (!l.trim() || /^V\t\d+$/.test(l)) continue;
      if (l.includes('\t')) out.add(l.split('\t').join('/'));
      else out.add(l === 'INBOX' ? 'INBOX' : (maildirPlusPlusName('.' + l.replace(/^INBOX\./, '')) ?? l));
    }
  }
  return out;
}

/**
 * The folders of a Maildir tree. `root` is a Maildir (Maildir++: it is INBOX, folders are
 * ".Name" beside cur/) or a directory of verbatim folders ("INBOX", "Work/Sub", …).
 */
export function maildirFolders(root: string, opts: MaildirReadOptions): SourceFolder[] {
  if (!isDir(root)) throw new Error(`${root} is not a directory`);
  const subscribed = readSubscriptions(root);
  const out: SourceFolder[] = [];
  const seen = new Set<string>();
  const add = (dir: string, name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    out.push(folder(dir, name, subscribed, opts));
  };
  if (isMaildir(root)) add(root, 'INBOX');
  for (const entry of readdirSync(root).sort()) {
    const dir = join(root, entry);
    if (!entry.startsWith('.') || entry === '.' || entry === '..' || !isDir(dir) || !isMaildir(dir)) continue;
    const name = maildirPlusPlusName(entry);
    if (name) add(dir, /^inbox$/i.test(name) ? 'INBOX' : name.replace(/^INBOX\//i, ''));
  }
  // verbatim folders: any directory (not cur/new/tmp, not hidden) that is a Maildir, at any depth
  const walk = (dir: string, prefix: string, depth: number) => {
    if (depth > 32) return;
    for (const entry of readdirSync(dir).sort()) {
      if (entry.startsWith('.') || ['cur', 'new', 'tmp', 'courierimapkeywords'].includes(entry)) continue;
      const sub = join(dir, entry);
      if (!isDir(sub)) continue;
      const name = prefix + verbatimName(entry);
      if (isMaildir(sub)) add(sub, /^inbox$/i.test(name) ? 'INBOX' : name);
      walk(sub, name + '/', depth + 1);
    }
  };
  walk(root, '', 0);
  return out;
}

/** Writes one folder of a Maildir++ tree: messages into cur/, then dovecot-uidlist and dovecot-keywords. */
export class MaildirFolderWriter {
  private keywords: string[] = [];
  private entries: Array<[number, string]> = [];
  private n = 0;
  readonly lost = new Set<string>();

  constructor(
    readonly dir: string,
    private readonly folder: { uidValidity: number; uidNext: number },
  ) {
    for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(dir, sub), { recursive: true, mode: 0o700 });
  }

  async write(m: { raw: Buffer; flags: Flag[]; internalDate: Date; uid: number }): Promise<void> {
    const body = toLf(m.raw);
    const secs = Math.floor(m.internalDate.getTime() / 1000);
    const base = `${secs}.M${randomBytes(3).readUIntBE(0, 3)}P${process.pid}Q${++this.n}.${hostname().replace(/[/:]/g, '_')},S=${body.length}`;
    const { info, lost } = maildirInfo(m.flags, this.keywords);
    for (const k of lost) this.lost.add(k);
    const tmp = join(this.dir, 'tmp', base);
    await writeFile(tmp, body, { flag: 'wx', mode: 0o600 });
    utimesSync(tmp, m.internalDate, m.internalDate);
    renameSync(tmp, join(this.dir, 'cur', `${base}:2,${info}`));
    this.entries.push([m.uid, base]);
  }

  close(): void {
    const guid = randomBytes(16).toString('hex');
    writeFileSync(join(this.dir, 'dovecot-uidlist'), formatUidList({ ...this.folder, guid, entries: this.entries }), { mode: 0o600 });
    if (this.keywords.length) writeFileSync(join(this.dir, 'dovecot-keywords'), formatDovecotKeywords(this.keywords), { mode: 0o600 });
  }
}

/** the directory of mailbox `name` in a Maildir++ tree at `root` */
export function maildirPlusPlusPath(root: string, name: string): string {
  return name === 'INBOX' ? root : join(root, maildirPlusPlusDir(name));
}

export function writeSubscriptions(root: string, names: string[]): void {
  const lines = names.map((n) => (n === 'INBOX' ? 'INBOX' : maildirPlusPlusDir(n).slice(1)));
  writeFileSync(join(root, 'subscriptions'), lines.map((l) => l + '\n').join(''), { mode: 0o600 });
}
