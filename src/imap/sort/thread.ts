/**
 * THREAD algorithms (RFC 5256 §3): ORDEREDSUBJECT, REFERENCES, and REFS (REFERENCES without
 * the subject merging of step 5, threads ordered by their newest message, as Dovecot's REFS).
 * Pure: thread rows in, a forest of message nodes out (ordered as the response lists them).
 */
import { sentDate } from '../../store/sort-order.js';
import type { ThreadRow } from '../../store/sort-types.js';
import type { ThreadAlgorithm } from '../wire/args/sort.js';

/** a thread node: a message, or a dummy (row null) standing for a message not in the set */
export interface ThreadNode {
  row: ThreadRow | null;
  children: ThreadNode[];
}

export function thread(rows: readonly ThreadRow[], algorithm: ThreadAlgorithm): ThreadNode[] {
  return algorithm === 'ORDEREDSUBJECT' ? orderedSubject(rows) : references(rows, algorithm === 'REFERENCES');
}

/** sent date, then mailbox order */
function byDate(a: ThreadRow, b: ThreadRow): number {
  return sentDate(a) - sentDate(b) || a.uid - b.uid;
}

/** RFC 5256 §3 ORDEREDSUBJECT: group by base subject; each group's first message parents the rest */
function orderedSubject(rows: readonly ThreadRow[]): ThreadNode[] {
  const sorted = [...rows].sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : byDate(a, b)));
  const threads: ThreadNode[] = [];
  let cur: ThreadNode | null = null;
  for (const r of sorted) {
    if (cur && cur.row!.subject === r.subject) cur.children.push({ row: r, children: [] });
    else threads.push((cur = { row: r, children: [] }));
  }
  return threads.sort((a, b) => byDate(a.row!, b.row!));
}

interface Container extends ThreadNode {
  parent: Container | null;
  children: Container[];
}

/**
 * Threads deeper than this are cut (a link that would go below it is not made): hostile mail
 * referencing a long chain must not make linking quadratic or the recursive steps overflow.
 */
export const MAX_THREAD_DEPTH = 1000;

/** true when `a` is `of` or one of its ancestors, or when `of` is already MAX_THREAD_DEPTH deep */
const isAncestor = (a: Container, of: Container): boolean => {
  let depth = 0;
  for (let p: Container | null = of; p; p = p.parent) {
    if (p === a || ++depth > MAX_THREAD_DEPTH) return true;
  }
  return false;
};

function link(child: Container, parent: Container | null): void {
  if (child.parent) child.parent.children.splice(child.parent.children.indexOf(child), 1);
  child.parent = parent;
  if (parent) parent.children.push(child);
}

/** the row that stands for a node in date order and subject lookups: itself, or its first child's */
function first(n: ThreadNode): ThreadRow | null {
  return n.row ?? (n.children[0] ? first(n.children[0]) : null);
}

function nodeOrder(a: ThreadNode, b: ThreadNode): number {
  const x = first(a);
  const y = first(b);
  return x && y ? byDate(x, y) : 0;
}

/** children before parents, so a dummy's date is that of its already-sorted first child (§3 step 6) */
function sortTree(nodes: ThreadNode[]): void {
  for (const n of nodes) sortTree(n.children);
  nodes.sort(nodeOrder);
}

/** RFC 5256 §3 REFERENCES (mergeSubjects) and REFS (!mergeSubjects) */
function references(rows: readonly ThreadRow[], mergeSubjects: boolean): ThreadNode[] {
  const ids = new Map<string, Container>();
  /** containers of messages without a usable Message-ID (none, or one already taken) */
  const unnamed: Container[] = [];
  const node = (row: ThreadRow | null): Container => ({ row, children: [], parent: null });
  // step 1: containers and parent/child links, in mailbox order (as the store lists them)
  const ascending = rows.every((r, i) => i === 0 || rows[i - 1]!.uid < r.uid);
  for (const r of ascending ? rows : [...rows].sort((a, b) => a.uid - b.uid)) {
    // 1.A: the message's container (a duplicate Message-ID counts as none)
    let c = r.messageId !== null ? ids.get(r.messageId) : undefined;
    if (c && c.row) c = undefined;
    if (!c) {
      c = node(null);
      if (r.messageId !== null && !ids.has(r.messageId)) ids.set(r.messageId, c);
      else unnamed.push(c);
    }
    c.row = r;
    // 1.B: link the references in order, keeping existing links and never making a loop
    let prev: Container | null = null;
    for (const id of r.references) {
      let ref = ids.get(id);
      if (!ref) ids.set(id, (ref = node(null)));
      if (prev && ref !== prev && !ref.parent && !isAncestor(ref, prev)) link(ref, prev);
      prev = ref;
    }
    // 1.C: the last reference is the parent (replacing any earlier guess), unless that loops
    if (prev === c || (prev && isAncestor(c, prev))) continue;
    link(c, prev);
  }
  // step 2: the root set
  let roots: Container[] = [];
  for (const c of ids.values()) if (!c.parent) roots.push(c);
  for (const c of unnamed) if (!c.parent) roots.push(c);
  // step 3: prune dummies
  const prune = (list: Container[], top: boolean): Container[] => {
    if (list.length === 0) return list; // most containers are leaves: no new array for them
    const out: Container[] = [];
    for (const c of list) {
      c.children = prune(c.children, false);
      if (c.row) out.push(c);
      else if (c.children.length === 0) continue;
      else if (!top || c.children.length === 1) {
        for (const k of c.children) k.parent = c.parent;
        out.push(...c.children);
      } else out.push(c);
    }
    return out;
  };
  roots = prune(roots, true);
  for (const r of roots) r.parent = null;
  // step 4: order the root set
  for (const r of roots) sortTree(r.children);
  roots.sort(nodeOrder);
  if (mergeSubjects) roots = mergeBySubject(roots);
  // step 6: every set of siblings by date (REFS: threads by their newest message)
  sortTree(roots);
  if (!mergeSubjects) {
    const newest = new Map<ThreadNode, ThreadRow>();
    const scan = (n: ThreadNode, top: ThreadNode): void => {
      const cur = newest.get(top);
      if (n.row && (!cur || byDate(cur, n.row) < 0)) newest.set(top, n.row);
      for (const k of n.children) scan(k, top);
    };
    for (const r of roots) scan(r, r);
    roots.sort((a, b) => byDate(newest.get(a)!, newest.get(b)!));
  }
  return roots;
}

/** RFC 5256 §3 REFERENCES step 5: threads whose roots share a base subject are gathered */
function mergeBySubject(roots: Container[]): Container[] {
  const subjectOf = (c: Container) => first(c)?.subject ?? '';
  const table = new Map<string, Container>();
  for (const c of roots) {
    const s = subjectOf(c);
    if (!s) continue;
    const old = table.get(s);
    if (!old || (!c.row && old.row) || (old.row?.replyOrForward && c.row && !c.row.replyOrForward)) table.set(s, c);
  }
  const out: Container[] = [];
  // where each container first sits in `out` (an indexOf per merge made this quadratic)
  const pos = new Map<Container, number>();
  const push = (c: Container) => {
    if (!pos.has(c)) pos.set(c, out.length);
    out.push(c);
  };
  const put = (i: number, c: Container) => {
    if (pos.get(out[i]!) === i) pos.delete(out[i]!);
    out[i] = c;
    if ((pos.get(c) ?? Infinity) > i) pos.set(c, i);
  };
  const replaced = new Map<Container, Container>();
  for (const c of roots) {
    const s = subjectOf(c);
    const t0 = s ? table.get(s) : undefined;
    const t = t0 ? (replaced.get(t0) ?? t0) : undefined;
    if (!t || t === c || replaced.get(c)) {
      push(replaced.get(c) ?? c);
      continue;
    }
    if (!t.row && !c.row) {
      // all of c's children move (one by one, each unlink would search c's list)
      for (const k of c.children) {
        k.parent = t;
        t.children.push(k);
      }
      c.children = [];
    } else if (!t.row) link(c, t);
    else if (!c.row) {
      link(t, c);
      replaced.set(t0!, c);
      const i = pos.get(t);
      if (i !== undefined) put(i, c);
    } else if (!t.row.replyOrForward && c.row.replyOrForward) link(c, t);
    else {
      const dummy: Container = { row: null, children: [], parent: null };
      const i = pos.get(t);
      link(t, dummy);
      link(c, dummy);
      replaced.set(t0!, dummy);
      if (i !== undefined) put(i, dummy);
    }
  }
  return out;
}
