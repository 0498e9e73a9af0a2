/**
 * FETCH, step 1 of 3 (plan → read → render; ./fetch.ts runs them): what a FETCH needs,
 * decided once from its items before anything is read. The read step (./fetch-read.ts)
 * uses the plan to choose the cheapest store calls; the render step writes the items.
 */
import type { ImapSession } from '../session/types.js';
import { fetchSetsSeen, type FetchArgs, type FetchAtt } from '../wire/args/fetch.js';
import type { StructureItem } from './fetch-summary.js';

/** messages per store call when bodies or MIME indexes are read */
const BATCH = 200;
/** metadata-only FETCH (no bodies, no MIME index) reads this many messages per store call */
const META_BATCH = 2000;
/** UID/FLAGS/MODSEQ only (from the store's in-memory flag state): this many per call */
const FLAGS_BATCH = 10_000;

const NEEDS_INDEX = new Set(['ENVELOPE', 'BODY', 'BODYSTRUCTURE', 'BODY[]', 'BINARY[]', 'BINARY.SIZE', 'RFC822.HEADER', 'RFC822.TEXT']);
/** BODY[] / BODY.PEEK[] of the whole message is the stored bytes: no MIME index needed */
const needsIndex = (a: FetchAtt): boolean =>
  NEEDS_INDEX.has(a.type) && !(a.type === 'BODY[]' && a.section.part.length === 0 && !a.section.text);
const STRUCTURE: ReadonlySet<string> = new Set(['ENVELOPE', 'BODY', 'BODYSTRUCTURE']);
const NEEDS_RAW = new Set(['BODY[]', 'BINARY[]', 'BINARY.SIZE', 'RFC822', 'RFC822.HEADER', 'RFC822.TEXT']);
const HEADER_TEXT: ReadonlySet<string | null> = new Set(['HEADER', 'HEADER.FIELDS', 'HEADER.FIELDS.NOT']);
/** an item whose bytes all lie in the message's own header block (BODY[HEADER.FIELDS (...)], RFC822.HEADER, …) */
const inHeaderBlock = (a: FetchAtt): boolean =>
  a.type === 'RFC822.HEADER' || ((a.type === 'BODY[]' || a.type === 'BINARY[]' || a.type === 'BINARY.SIZE') && a.section.part.length === 0 && HEADER_TEXT.has(a.section.text));

export interface FetchPlan {
  /** the items to return, in order (UID and MODSEQ added where the RFCs require them) */
  atts: FetchAtt[];
  /** FLAGS was asked for (else FLAGS is added only for messages this FETCH marks \Seen) */
  flagsAsked: boolean;
  /** BODY[...] without PEEK on a read-write mailbox: \Seen is set before rendering */
  setsSeen: boolean;
  /** the MIME index is needed (ENVELOPE, BODYSTRUCTURE, sections) */
  needIndex: boolean;
  /** the raw bytes are needed */
  needRaw: boolean;
  /**
   * the raw bytes are needed only for the message's own header block: the store's header
   * blocks (getHeaders) are read instead of the bodies, which stay unread
   */
  headerOnly: boolean;
  /**
   * the index is needed only for ENVELOPE / BODY / BODYSTRUCTURE (these items): the store's
   * summaries (./fetch-summary.ts) are read instead, the index only for messages without them
   */
  structureItems: StructureItem[] | null;
  /** only UID, FLAGS and MODSEQ: the store's cheaper getFlags() is enough */
  flagsOnly: boolean;
  /**
   * only UID, FLAGS, MODSEQ and nothing sets \Seen: the items in response order as letters
   * (U, F, M) for WireWriter.fetchMeta, the hot path of every client's sync; else null
   */
  metaOrder: string | null;
  /** only UID: messages expunged meanwhile are still answered from the view */
  uidOnly: boolean;
  /** CHANGEDSINCE (RFC 7162 §3.1.4), or null */
  changedSince: number | null;
  /** keys indexed at delivery are needed (PREVIEW, THREADID, SAVEDATE): read with the store's sortRows */
  needKeys: boolean;
  /** messages per read step */
  batch: number;
}

export function planFetch(s: ImapSession, args: FetchArgs): FetchPlan {
  const atts: FetchAtt[] = [...args.atts];
  const has = (t: string) => atts.some((a) => a.type === t);
  if (args.changedSince !== null || has('MODSEQ')) s.enabled.add('CONDSTORE');
  // RFC 7162 §3.2.4: with QRESYNC every FETCH response carries the UID
  if (s.qresync && !has('UID')) atts.unshift({ type: 'UID' });
  const setsSeen = !s.selected!.readOnly && atts.some(fetchSetsSeen);
  // RFC 9051 §6.4.5: when fetching sets \Seen, the new FLAGS are reported (for the messages that changed)
  const flagsAsked = has('FLAGS');
  if (s.condstore && flagsAsked && !has('MODSEQ')) atts.push({ type: 'MODSEQ' });
  const needIndex = atts.some(needsIndex);
  const needRaw = atts.some((a) => NEEDS_RAW.has(a.type));
  const structure = atts.filter((a): a is { type: StructureItem } => STRUCTURE.has(a.type)).map((a) => a.type);
  const structureItems = needIndex && !needRaw && atts.every((a) => !needsIndex(a) || STRUCTURE.has(a.type)) ? structure : null;
  const flagsOnly = !setsSeen && atts.every((a) => a.type === 'UID' || a.type === 'FLAGS' || a.type === 'MODSEQ');
  // RFC 9586 §3.3: a UIDFETCH response carries the UID as its number, not as an item
  const metaOrder = flagsOnly ? atts.filter((a) => !(s.uidOnly && a.type === 'UID')).map((a) => a.type[0]).join('') : null;
  return {
    atts,
    flagsAsked,
    setsSeen,
    needIndex,
    needRaw,
    headerOnly: needRaw && atts.every((a) => !NEEDS_RAW.has(a.type) || inHeaderBlock(a)),
    structureItems,
    flagsOnly,
    metaOrder,
    uidOnly: args.changedSince === null && atts.every((a) => a.type === 'UID'),
    changedSince: args.changedSince,
    needKeys: atts.some((a) => a.type === 'PREVIEW' || a.type === 'THREADID' || a.type === 'SAVEDATE'),
    batch: needIndex || needRaw ? BATCH : flagsOnly ? FLAGS_BATCH : META_BATCH,
  };
}
