/**
 * The side files Dovecot and Courier keep in a Maildir, read and written:
 * - dovecot-uidlist (v3: "3 V<uidvalidity> N<uidnext> G<guid>", then "<uid> [ext…] :<file>";
 *   v1 and Courier's courierimapuiddb: "1 <uidvalidity> <uidnext>", then "<uid> <file>");
 * - dovecot-keywords ("<index> <keyword>"; index 0 is the letter a in file names);
 * - courierimapkeywords/ (":list": keywords one per line, a blank line, then
 *   "<file>:<index> <index>…"; later per-message files "[.<n>.]<file>" list keywords by name);
 * - folder names of the Maildir++ layout (".Work.Sub" = Work/Sub, modified UTF-7 levels).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeMutf7, encodeMutf7 } from '../imap/wire/mutf7.js';

/** file name without its info part (":2,FS") */
export function baseName(file: string): string {
  const colon = file.indexOf(':');
  return colon < 0 ? file : file.slice(0, colon);
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

export interface UidList {
  uidValidity: number;
  uidNext: number;
  uids: Map<string, number>;
}

/** dovecot-uidlist or courierimapuiddb of a folder directory, or null */
export function readUidList(dir: string): UidList | null {
  const text = readText(join(dir, 'dovecot-uidlist')) ?? readText(join(dir, 'courierimapuiddb'));
  if (text === null) return null;
  const lines = text.split('\n');
  const head = lines[0]!.trim().split(/\s+/);
  let uidValidity = 0;
  let uidNext = 0;
  if (head[0] === '3') {
    for (const f of head.slice(1)) {
      if (f.startsWith('V')) uidValidity = Number(f.slice(1));
      if (f.startsWith('N')) uidNext = Number(f.slice(1));
    }
  } else if (head[0] === '1' || head[0] === '2') {
    uidValidity = Number(head[1]);
    uidNext = Number(head[2]);
  } else return null;
  if (!Number.isInteger(uidValidity) || uidValidity <= 0 || uidValidity > 0xffffffff) return null;
  const uids = new Map<string, number>();
  for (const line of lines.slice(1)) {
    if (!line.trim()) continue;
    let uid: number;
    let file: string;
    if (head[0] === '3') {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      uid = Number(line.slice(0, line.indexOf(' ') > 0 ? line.indexOf(' ') : colon));
      file = line.slice(colon + 1).trim();
    } else {
      const [u, f] = line.trim().split(/\s+/);
      uid = Number(u);
      file = f ?? '';
    }
    if (Number.isInteger(uid) && uid > 0 && file) uids.set(baseName(file), uid);
  }
  return { uidValidity, uidNext: Number.isInteger(uidNext) ? uidNext : 0, uids };
}

export function formatUidList(l: { uidValidity: number; uidNext: number; guid: string; entries: Array<[number, string]> }): string {
  return `3 V${l.uidValidity} N${l.uidNext} G${l.guid}\n` + l.entries.map(([uid, file]) => `${uid} :${file}\n`).join('');
}

/** dovecot-keywords: keyword by letter index */
export function readDovecotKeywords(dir: string): string[] {
  const out: string[] = [];
  for (const line of (readText(join(dir, 'dovecot-keywords')) ?? '').split('\n')) {
    const m = /^(\d+) (.+)$/.exec(line.trim());
    if (m && Number(m[1]) < 26) out[Number(m[1])] = m[2]!;
  }
  return out;
}

export function formatDovecotKeywords(keywords: readonly string[]): string {
  return keywords.map((k, i) => `${i} ${k}\n`).join('');
}

/** Courier's keywords of each message (by base file name) */
export function readCourierKeywords(dir: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const kdir = join(dir, 'courierimapkeywords');
  if (!existsSync(kdir)) return out;
  const list = readText(join(kdir, ':list'));
  if (list !== null) {
    const names: string[] = [];
    let inHead = true;
    for (const line of list.split('\n')) {
      if (inHead) {
        if (line.trim() === '') inHead = false;
        else names.push(line.trim());
        continue;
      }
      const colon = line.lastIndexOf(':');
      if (colon <= 0) continue;
      const kws = line
        .slice(colon + 1)
        .trim()
        .split(/\s+/)
        .map((i) => names[Number(i)])
        .filter((k): k is string => !!k);
      out.set(baseName(line.slice(0, colon)), kws);
    }
  }
  // per-message updates written after :list: "[.<counter>.]<file>", newest counter wins
  const updates = new Map<string, { n: number; kws: string[] }>();
  for (const f of readdirSync(kdir)) {
    if (f === ':list') continue;
    const m = /^\.(\d+)\.(.+)$/.exec(f);
    const n = m ? Number(m[1]) : Infinity;
    const base = baseName(m ? m[2]! : f);
    const prev = updates.get(base);
    if (prev && prev.n >= n) continue;
    const kws = (readText(join(kdir, f)) ?? '').split('\n').map((s) => s.trim()).filter(Boolean);
    updates.set(base, { n, kws });
  }
  for (const [base, u] of updates) out.set(base, u.kws);
  return out;
}

/** ".Work.Sub" → "Work/Sub" (Maildir++; levels in modified UTF-7, "&AC4-" for a "." inside a level) */
export function maildirPlusPlusName(dirName: string): string | null {
  const levels = dirName.slice(1).split('.');
  try {
    const name = levels.map((l) => l.split('&AC4-').map(decodeMutf7).join('.')).join('/');
    return levels.some((l) => l === '') ? null : name;
  } catch {
    return null;
  }
}

export function maildirPlusPlusDir(name: string): string {
  return '.' + name.split('/').map((l) => l.split('.').map(encodeMutf7).join('&AC4-')).join('.');
}

/** a verbatim directory name: modified UTF-7 when it decodes as such, else as it is */
export function verbatimName(dirName: string): string {
  if (!dirName.includes('&')) return dirName;
  try {
    return decodeMutf7(dirName);
  } catch {
    return dirName;
  }
}
