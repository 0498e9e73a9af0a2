/**
 * Import sources from files: mbox files (one, several, or a directory tree of them, as
 * mutt, Thunderbird (".sbd" folders) and `letterbox export` lay them out) and Maildir trees.
 */
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { mboxFolder, type MboxReadOptions } from './mbox.js';
import type { SourceFolder } from './types.js';

/** true when the file starts with a From_ line (or is empty) */
function looksLikeMbox(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(5);
    const n = readSync(fd, b, 0, 5, 0);
    return n === 0 || b.toString('latin1', 0, n) === 'From ';
  } finally {
    closeSync(fd);
  }
}

/** "Work.sbd/Sub.mbox" → "Work/Sub"; "inbox" or "mbox" at the top → INBOX */
export function mboxName(relPath: string): string {
  const levels = relPath
    .split(sep)
    .map((l, i, all) => (i < all.length - 1 ? l.replace(/\.sbd$/i, '') : l.replace(/\.(mbox|mbx)$/i, '')));
  const name = levels.join('/');
  return /^(inbox|mbox)$/i.test(name) ? 'INBOX' : name;
}

/**
 * The folders in `paths`: a file is one folder (named after the file); a directory contributes every mbox file under it, named by its relative path.
 * Files that do not start with a From_ line are listed in `skipped`.
 */
export async function mboxSources(paths: string[], opts: MboxReadOptions): Promise<{ folders: SourceFolder[]; skipped: string[] }> {
  const folders: SourceFolder[] = [];
  const skipped: string[] = [];
  for (const p of paths) {
    const st = statSync(p);
    if (st.isFile()) {
      if (!looksLikeMbox(p)) skipped.push(p);
      else folders.push(await mboxFolder(p, mboxName(basename(p)), opts));
      continue;
    }
    const walk = async (dir: string, depth: number): Promise<void> => {
      if (depth > 32) return;
      for (const entry of readdirSync(dir).sort()) {
        if (entry.startsWith('.')) continue;
        const full = join(dir, entry);
        const s = statSync(full);
        if (s.isDirectory()) await walk(full, depth + 1);
        else if (s.isFile() && !/\.(msf|dat|json|sqlite|html?)$/i.test(entry)) {
          if (looksLikeMbox(full)) folders.push(await mboxFolder(full, mboxName(relative(p, full)), opts));
          else skipped.push(full);
        }
      }
    };
    await walk(p, 0);
  }
  return { folders, skipped };
}
