/**
 * Full-text index for SEARCH BODY / TEXT on SQLite (FTS5), with results identical to the
 * substring semantics of ../search.ts (RFC 9051 §6.4.4: a key matches when its string is a
 * substring of the text, case-insensitively).
 *
 * Three tables (migration 7):
 *  - text_fts: FTS5 over each blob's lower-cased header and body text, word tokens
 *    (unicode61, diacritics kept), contentless (the text already lives in blobs), rowid =
 *    blob id, rows deleted with their blob by a trigger. Cheap to build: about a tenth of
 *    a trigram index's CPU per message and a small fraction of its size.
 *  - fts_terms + fts_terms_tri: the vocabulary, every distinct "run" of text (see RUN
 *    below) ever indexed, with a trigram index over it, so the terms *containing* a search
 *    string are found without scanning: "ploy" → deploy, deployment, employee…
 *
 * A search string is split into runs. Its longest runs (two at most, of at least 3
 * characters) each become "the document has a term containing this run" = an FTS OR over
 * the matching vocabulary terms; those are ANDed. That candidate set holds every true match. When the string is
 * one ASCII run (a word or part of one, the usual search), the candidates are exactly the
 * matches: an occurrence of such a string can only lie inside one run of the text. In
 * every other case (several runs, punctuation, non-ASCII letters, whose case folding may
 * differ between JavaScript and SQLite) the candidates are checked with instr() on the
 * stored text, so the answer is still exact. Strings with no run of 3 characters (or whose
 * runs match too many terms to be selective) are answered by the plain scan, as before.
 *
 * Why runs are safe to look up: runs are split (../search.ts RUN_SEPARATORS) only at ASCII
 * punctuation and white space, which unicode61 also separates on; so every unicode61 token lies inside one run,
 * and an FTS phrase query for a run matches every document the run occurs in.
 */
import type Database from 'better-sqlite3';
import { searchRuns as runsOf } from '../search.js';
import { KnownTerms } from './known-terms.js';

type Prepare = (sql: string) => Database.Statement;


const ASCII_RUN = /^[a-z0-9]+$/;
/** below this the trigram vocabulary index cannot answer */
const MIN_RUN = 3;
/** runs of a search string looked up in the index (the longest ones) */
const MAX_RUNS = 2;
/** a run matching more vocabulary terms than this is not selective: skipped (or scanned) */
const MAX_TERMS = 2000;
/**
 * a blob with more text than this (of at most 2 × 1 MiB: mime/text.ts TEXT_CAP) is not
 * indexed, which would hold the event loop for ~0.1 s per MiB inside the commit, but listed
 * in fts_unindexed and scanned by every search: rare, and the answers stay exact
 */
export const MAX_INDEXED_CHARS = 512 * 1024;
/** vocabulary terms remembered in memory as already stored (saves an INSERT OR IGNORE each) */
const KNOWN_TERMS_CACHE = 200_000;

export const FULLTEXT_SCHEMA = `
  CREATE VIRTUAL TABLE text_fts USING fts5(header, body, tokenize = 'unicode61 remove_diacritics 0',
    content = '', contentless_delete = 1, detail = column);
  CREATE TABLE fts_terms (id INTEGER PRIMARY KEY, term TEXT NOT NULL UNIQUE);
  CREATE VIRTUAL TABLE fts_terms_tri USING fts5(term, tokenize = 'trigram', content = '', contentless_delete = 1);
  CREATE TRIGGER fts_terms_ai AFTER INSERT ON fts_terms BEGIN
    INSERT INTO fts_terms_tri (rowid, term) VALUES (NEW.id, NEW.term);
  END;
  CREATE TRIGGER blobs_fts_ad AFTER DELETE ON blobs BEGIN
    DELETE FROM text_fts WHERE rowid = OLD.id;
  END;
`;

/**
 * migration 17: how far indexing has gone. Every blob up to `indexed_through` is in text_fts
 * or listed in fts_unindexed; the blobs above it (ids only grow: AUTOINCREMENT) wait for
 * indexPending and are scanned by searches meanwhile. Before, each new blob was listed in
 * fts_unindexed inside its message's transaction and unlisted when indexed: a page of the
 * list's b-tree in every commit, and a DELETE per blob.
 */
export const FTS_STATE_SCHEMA = `
  CREATE TABLE IF NOT EXISTS fts_state (id INTEGER PRIMARY KEY CHECK (id = 1), indexed_through INTEGER NOT NULL);
  INSERT OR IGNORE INTO fts_state (id, indexed_through) SELECT 1, coalesce(max(id), 0) FROM blobs;
`;

/**
 * The blobs not in text_fts that `cond` (on blobs `x`) holds for: listed ones, and the ones
 * above the indexed mark. Its parameters are the condition's, twice.
 */
export function unindexedBlobs(cond: string): string {
  return `SELECT u.blob_id FROM fts_unindexed u CROSS JOIN blobs x ON x.id = u.blob_id WHERE ${cond}
    UNION ALL SELECT x.id FROM blobs x WHERE x.id > (SELECT indexed_through FROM fts_state) AND ${cond}`;
}

/** migration 8: blobs too big to index at delivery (MAX_INDEXED_CHARS), scanned by searches instead */
export const UNINDEXED_SCHEMA = `
  CREATE TABLE fts_unindexed (blob_id INTEGER PRIMARY KEY);
  CREATE TRIGGER blobs_unindexed_ad AFTER DELETE ON blobs BEGIN
    DELETE FROM fts_unindexed WHERE blob_id = OLD.id;
  END;
`;

/** where a string key looks: BODY → body, TEXT → header and body, HEADER/SUBJECT/FROM… → header */
export type FtsColumn = 'body' | 'text' | 'header';

export type FtsPlan =
  /** no document can match */
  | { kind: 'none' }
  /** `match` is an FTS5 query over text_fts; `exact`: its rowids are exactly the matches */
  | { kind: 'match'; match: string; exact: boolean };

export interface FullText {
  /** indexes a new blob's lower-cased texts (inside the caller's transaction); `all`: whatever the size (migration 7) */
  add(blobId: number, headerText: string, bodyText: string, all?: boolean): void;
  /**
   * a new blob was stored (inside the caller's transaction): above the indexed mark, it is
   * indexed after the commit by indexPending (./fts-queue.ts); searches scan it meanwhile,
   * so their answers do not change when it is indexed
   */
  defer(): void;
  /**
   * indexes up to `limit` waiting blobs (inside the caller's transaction): the listed ones with
   * ids above `after` that fit (listed before migration 17, or by a process that stopped), then
   * the ones above the indexed mark, whose mark it moves on, listing those too big for the
   * index; returns the highest listed id looked at (or `after`) and how many were looked at
   */
  indexPending(after: number, limit: number): { last: number; seen: number };
  /** how to answer a (lower-cased) search string with the index; null: scan instead */
  plan(value: string, column: FtsColumn): FtsPlan | null;
}

const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** `q` prepares (and may cache) a statement on the store's connection; `deferred` hears of each defer() */
export function createFullText(q: Prepare, deferred?: () => void): FullText {
  const known = new KnownTerms(KNOWN_TERMS_CACHE);
  const addTerms = (text: string) => {
    const ins = q('INSERT OR IGNORE INTO fts_terms (term) VALUES (?)');
    known.scan(text, (t) => ins.run(t));
  };
  const ft: FullText = {
    add(blobId, headerText, bodyText, all = false) {
      if (!all && headerText.length + bodyText.length > MAX_INDEXED_CHARS) {
        q('INSERT INTO fts_unindexed (blob_id) VALUES (?)').run(blobId);
        return;
      }
      q('INSERT INTO text_fts (rowid, header, body) VALUES (?, ?, ?)').run(blobId, headerText, bodyText);
      addTerms(headerText);
      addTerms(bodyText);
    },
    defer() {
      deferred?.();
    },
    indexPending(after, limit) {
      // the ones too big stay listed (length() counts characters, .length UTF-16 units: either says too big)
      const rows = q(
        `SELECT u.blob_id, b.header_text, b.body_text FROM fts_unindexed u JOIN blobs b ON b.id = u.blob_id
         WHERE u.blob_id > ? AND length(b.header_text) + length(b.body_text) <= ${MAX_INDEXED_CHARS}
         ORDER BY u.blob_id LIMIT ?`,
      )
        .raw(true)
        .all(after, limit) as Array<[number, string, string]>;
      const done = q('DELETE FROM fts_unindexed WHERE blob_id = ?');
      let last = after;
      for (const [id, header, body] of rows) {
        last = id;
        if (header.length + body.length > MAX_INDEXED_CHARS) continue;
        ft.add(id, header, body, true);
        done.run(id);
      }
      // the new blobs, above the mark (read inside this write transaction: no other writer
      // indexes them meanwhile, and every blob at or below the highest id is committed)
      const left = limit < 0 ? -1 : limit - rows.length;
      if (left === 0) return { last, seen: rows.length };
      const fresh = q(
        'SELECT id, header_text, body_text FROM blobs WHERE id > (SELECT indexed_through FROM fts_state) ORDER BY id LIMIT ?',
      )
        .raw(true)
        .all(left) as Array<[number, string, string]>;
      if (fresh.length === 0) return { last, seen: rows.length };
      // too big ones go to the list (add), searched by scan
      for (const [id, header, body] of fresh) ft.add(id, header, body);
      q('UPDATE fts_state SET indexed_through = ?').run(fresh[fresh.length - 1]![0]);
      return { last, seen: rows.length + fresh.length };
    },
    plan(value, column) {
      const all = [...new Set(runsOf(value))];
      // the longest runs are the selective ones ("the", "and" match nearly every message and
      // would only cost doclist reads): at most two go to the index, instr() checks the rest
      const runs = all
        .filter((r) => r.length >= MIN_RUN)
        .sort((x, y) => y.length - x.length)
        .slice(0, MAX_RUNS);
      if (runs.length === 0) return null;
      const lookup = q(
        `SELECT term FROM fts_terms WHERE id IN (SELECT rowid FROM fts_terms_tri WHERE fts_terms_tri MATCH ?) LIMIT ${MAX_TERMS + 1}`,
      );
      const parts: string[] = [];
      for (const run of runs) {
        const terms = lookup.pluck(true).all(quote(run)) as string[];
        if (terms.length === 0) return { kind: 'none' };
        if (terms.length > MAX_TERMS) continue;
        parts.push(`(${terms.map(quote).join(' OR ')})`);
      }
      if (parts.length === 0) return null;
      const expr = parts.join(' AND ');
      const exact = all.length === 1 && runs[0] === value && ASCII_RUN.test(value) && parts.length === 1;
      return { kind: 'match', match: column === 'text' ? expr : `${column} : (${expr})`, exact };
    },
  };
  return ft;
}

/** indexes every blob (migration 7 on an existing store), a slice at a time */
export function indexAllBlobs(db: Database.Database): void {
  const ft = createFullText((sql) => db.prepare(sql));
  const next = db.prepare('SELECT id, header_text, body_text FROM blobs WHERE id > ? ORDER BY id LIMIT 256');
  for (let after = 0; ; ) {
    const rows = next.all(after) as Array<{ id: number; header_text: string; body_text: string }>;
    if (rows.length === 0) break;
    for (const r of rows) ft.add(r.id, r.header_text, r.body_text, true);
    after = rows[rows.length - 1]!.id;
  }
}
