/**
 * FETCH arguments (RFC 9051 §6.4.5, §9; RFC 3501 §6.4.5 for the RFC822.* items;
 * RFC 3516 BINARY; RFC 7162 §3.1.4 CHANGEDSINCE / §3.2.6 VANISHED):
 *   fetch       = "FETCH" SP sequence-set SP ("ALL" / "FULL" / "FAST" / fetch-att / "(" fetch-att *(SP fetch-att) ")") [fetch-modifiers]
 *   fetch-att   = "ENVELOPE" / "FLAGS" / "INTERNALDATE" / "RFC822.SIZE" / "BODY" ["STRUCTURE"] / "UID" /
 *                 "BODY" section [partial] / "BODY.PEEK" section [partial] /
 *                 "BINARY" [".PEEK"] section-binary [partial] / "BINARY.SIZE" section-binary / "MODSEQ"
 *   section-spec = section-msgtext / (section-part ["." section-text])
 *   section-msgtext = "HEADER" / "HEADER.FIELDS" [".NOT"] SP header-list / "TEXT"
 *   section-text = section-msgtext / "MIME" ; section-part = nz-number *("." nz-number)
 *   partial     = "<" number64 "." nz-number64 ">"   (also "<" number64 ">": to the end)
 *   fetch-modifiers = SP "(" fetch-modifier *(SP fetch-modifier) ")" ; "CHANGEDSINCE" SP mod-sequence-valzer / "VANISHED"
 */
import { bad } from '../errors.js';
import { describeToken, type SectionToken, type Token } from '../tokens.js';
import { ArgCursor } from './cursor.js';
import { sequenceSetFromToken, type SequenceSet } from './seqset.js';
import { isQuotedSafe, quote } from '../encode.js';

export type SectionText = 'HEADER' | 'HEADER.FIELDS' | 'HEADER.FIELDS.NOT' | 'TEXT' | 'MIME';

export interface SectionSpec {
  /** part numbers, [] for the whole message */
  part: number[];
  text: SectionText | null;
  /** HEADER.FIELDS (.NOT) field names as the client wrote them */
  fields?: string[];
}

export interface PartialRange {
  offset: number;
  length: number;
}

export type SimpleFetchAtt =
  | 'FLAGS'
  | 'INTERNALDATE'
  | 'RFC822.SIZE'
  | 'ENVELOPE'
  | 'BODY'
  | 'BODYSTRUCTURE'
  | 'UID'
  | 'MODSEQ'
  | 'RFC822'
  | 'RFC822.HEADER'
  | 'RFC822.TEXT'
  | 'EMAILID'
  | 'THREADID'
  | 'PREVIEW'
  | 'SAVEDATE';

export type FetchAtt =
  | { type: SimpleFetchAtt }
  | { type: 'BODY[]'; peek: boolean; section: SectionSpec; partial: PartialRange | null }
  /**
   * BINARY[part] (RFC 3516 / RFC 9051 section-binary = part numbers only). Like Dovecot, a
   * full section-spec is accepted too (BINARY[1.MIME], BINARY[2.HEADER.FIELDS (..)], BINARY[TEXT]):
   * `section` carries it; when section.text is non-null there is nothing to decode and the
   * bytes are those of BODY[section]. `part` === section.part.
   */
  | { type: 'BINARY[]'; peek: boolean; part: number[]; section: SectionSpec; partial: PartialRange | null }
  | { type: 'BINARY.SIZE'; part: number[]; section: SectionSpec };

export interface FetchArgs {
  set: SequenceSet;
  atts: FetchAtt[];
  /** RFC 7162 CHANGEDSINCE modifier, or null */
  changedSince: number | null;
  /** RFC 7162 §3.2.6 VANISHED modifier (UID FETCH only, needs CHANGEDSINCE) */
  vanished: boolean;
  /** the client used a macro (ALL / FAST / FULL) */
  macro: 'ALL' | 'FAST' | 'FULL' | null;
}

const SIMPLE: ReadonlySet<string> = new Set([
  'FLAGS',
  'INTERNALDATE',
  'RFC822.SIZE',
  'ENVELOPE',
  'BODY',
  'BODYSTRUCTURE',
  'UID',
  'MODSEQ',
  'RFC822',
  'RFC822.HEADER',
  'RFC822.TEXT',
  'EMAILID', // RFC 8474
  'THREADID', // RFC 8474
  'PREVIEW', // RFC 8970
  'SAVEDATE', // RFC 8514
]);

/** RFC 9051 §6.4.5 macros. */
export const FETCH_MACROS: Record<'ALL' | 'FAST' | 'FULL', SimpleFetchAtt[]> = {
  ALL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE'],
  FAST: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE'],
  FULL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY'],
};

function parsePart(pieces: string[]): number[] {
  return pieces.map((p) => {
    if (!/^[1-9]\d{0,8}$/.test(p)) bad(`Bad section part number "${p.slice(0, 20)}"`);
    return Number(p);
  });
}

/** section-spec tokens (between the brackets) → SectionSpec. */
export function parseSectionSpec(tokens: readonly Token[]): SectionSpec {
  if (tokens.length === 0) return { part: [], text: null };
  const first = tokens[0]!;
  if (first.type !== 'atom') bad(`Bad section: ${describeToken(first)}`);
  const pieces = first.value.split('.');
  let i = 0;
  while (i < pieces.length && /^\d+$/.test(pieces[i]!)) i++;
  const part = parsePart(pieces.slice(0, i));
  const textStr = pieces.slice(i).join('.').toUpperCase();
  if (textStr === '') {
    if (tokens.length > 1) bad('Unexpected tokens after the section part');
    return { part, text: null };
  }
  if (textStr === 'HEADER.FIELDS' || textStr === 'HEADER.FIELDS.NOT') {
    const list = tokens[1];
    if (!list || list.type !== 'list' || list.items.length === 0) bad(`${textStr} needs a list of header field names`);
    if (tokens.length > 2) bad('Unexpected tokens after the header list');
    const fields = list.items.map((t) => {
      if (t.type === 'atom' || t.type === 'quoted') return t.value;
      if (t.type === 'literal') return t.value.toString('utf8');
      bad('Header field names must be strings');
    });
    for (const f of fields) if (!/^[\x21-\x39\x3b-\x7e]+$/.test(f)) bad(`Bad header field name "${f.slice(0, 40)}"`);
    return { part, text: textStr, fields };
  }
  if (tokens.length > 1) bad(`Unexpected tokens after ${textStr}`);
  if (textStr === 'HEADER' || textStr === 'TEXT') return { part, text: textStr };
  if (textStr === 'MIME') {
    if (part.length === 0) bad('MIME needs a part number (e.g. BODY[1.MIME])');
    return { part, text: 'MIME' };
  }
  bad(`Unknown section "${textStr.slice(0, 40)}"`);
}

function partial(t: SectionToken): PartialRange | null {
  if (!t.partial) return null;
  // "<offset>" without a length (not in the RFC grammar) means "to the end", as Dovecot
  // accepts it and imaptest's BINARY tests send it
  const length = t.partial.length ?? Number.MAX_SAFE_INTEGER;
  if (length === 0) bad('Partial length must not be 0');
  if (!Number.isSafeInteger(t.partial.offset) || !Number.isSafeInteger(length)) bad('Partial range out of range');
  return { offset: t.partial.offset, length };
}

/** One fetch-att token → FetchAtt. */
export function parseFetchAtt(t: Token): FetchAtt {
  if (t.type === 'atom') {
    const n = t.value.toUpperCase();
    if (SIMPLE.has(n)) return { type: n as SimpleFetchAtt };
    bad(`Unknown FETCH attribute "${t.value.slice(0, 40)}"`);
  }
  if (t.type === 'section') {
    if (t.name === 'BODY' || t.name === 'BODY.PEEK') {
      return { type: 'BODY[]', peek: t.name === 'BODY.PEEK', section: parseSectionSpec(t.section), partial: partial(t) };
    }
    // section-binary = "[" [section-part] "]" (RFC 9051 §9); full section-spec accepted as Dovecot does
    const section = parseSectionSpec(t.section);
    const part = section.part;
    if (t.name === 'BINARY.SIZE') {
      if (t.partial) bad('BINARY.SIZE takes no partial range');
      return { type: 'BINARY.SIZE', part, section };
    }
    return { type: 'BINARY[]', peek: t.name === 'BINARY.PEEK', part, section, partial: partial(t) };
  }
  bad(`Bad FETCH attribute: ${describeToken(t)}`);
}

function has(atts: FetchAtt[], type: string): boolean {
  return atts.some((a) => a.type === type);
}

/**
 * FETCH / UID FETCH arguments. For UID FETCH (opts.uid) the UID item is added when absent
 * (RFC 9051 §6.4.9); with CHANGEDSINCE the MODSEQ item is added (RFC 7162 §3.1.4.1).
 */
export function parseFetchArgs(args: readonly Token[], opts: { uid: boolean }): FetchArgs {
  const c = new ArgCursor(args, 'FETCH');
  const set = sequenceSetFromToken(c.next('sequence set'));
  const what = c.next('FETCH attributes');
  let atts: FetchAtt[] = [];
  let macro: FetchArgs['macro'] = null;
  if (what.type === 'atom' && ['ALL', 'FAST', 'FULL'].includes(what.value.toUpperCase())) {
    macro = what.value.toUpperCase() as 'ALL' | 'FAST' | 'FULL';
    atts = FETCH_MACROS[macro].map((type) => ({ type }));
  } else if (what.type === 'list') {
    if (what.items.length === 0) bad('Empty FETCH attribute list');
    for (let i = 0; i < what.items.length; i++) {
      const a = parseFetchAtt(what.items[i]!);
      atts.push(a);
      // RFC 8970 §4: "PREVIEW" [SP "(" preview-mod *(SP preview-mod) ")"], preview-mod = "LAZY"
      const next = what.items[i + 1];
      if (a.type === 'PREVIEW' && next?.type === 'list') {
        for (const m of next.items) if (m.type !== 'atom' || m.value.toUpperCase() !== 'LAZY') bad('PREVIEW modifiers: LAZY only');
        i++;
      }
    }
  } else atts = [parseFetchAtt(what)];

  let changedSince: number | null = null;
  let vanished = false;
  if (!c.done) {
    const mods = c.list('FETCH modifiers');
    const m = new ArgCursor(mods.items, 'FETCH modifiers');
    while (!m.done) {
      const name = m.atom('FETCH modifier').toUpperCase();
      if (name === 'CHANGEDSINCE') {
        if (changedSince !== null) bad('CHANGEDSINCE given twice');
        changedSince = m.number64('CHANGEDSINCE mod-sequence');
      } else if (name === 'VANISHED') {
        vanished = true;
      } else bad(`Unknown FETCH modifier "${name.slice(0, 40)}"`);
    }
    if (vanished && !opts.uid) bad('VANISHED is only allowed with UID FETCH');
    if (vanished && changedSince === null) bad('VANISHED needs CHANGEDSINCE');
  }
  c.end();
  if (opts.uid && !has(atts, 'UID')) atts.unshift({ type: 'UID' });
  if (changedSince !== null && !has(atts, 'MODSEQ')) atts.push({ type: 'MODSEQ' });
  return { set, atts, changedSince, vanished, macro };
}

function astringOut(s: string): string {
  return /^[\x21-\x7e]+$/.test(s) && !/[(){%*"\\\]]/.test(s) ? s : isQuotedSafe(s, true) ? quote(s) : quote(s.replace(/[\r\n"\\]/g, ''));
}

/** The section text as echoed in responses: "1.2.HEADER.FIELDS (FROM TO)". */
export function formatSection(s: SectionSpec): string {
  let out = s.part.join('.');
  if (s.text) out += (out ? '.' : '') + s.text;
  if (s.fields) out += ' (' + s.fields.map(astringOut).join(' ') + ')';
  return out;
}

/**
 * The label of a fetch item in the FETCH response (RFC 9051 §7.5.2): BODY[...] with the
 * partial origin only ("BODY[]<0>"), never ".PEEK"; BINARY[...]; BINARY.SIZE[...]; others verbatim.
 */
export function fetchLabel(att: FetchAtt): string {
  if (att.type !== 'BODY[]' && att.type !== 'BINARY[]' && att.type !== 'BINARY.SIZE') return att.type;
  // formatted once per parsed item, not once per message of the FETCH (items are not changed after parsing)
  let label = labels.get(att);
  if (label === undefined) labels.set(att, (label = formatLabel(att)));
  return label;
}
const labels = new WeakMap<FetchAtt, string>();

function formatLabel(att: Extract<FetchAtt, { type: 'BODY[]' | 'BINARY[]' | 'BINARY.SIZE' }>): string {
  switch (att.type) {
    case 'BODY[]':
      return `BODY[${formatSection(att.section)}]${att.partial ? `<${att.partial.offset}>` : ''}`;
    case 'BINARY[]':
      return `BINARY[${formatSection(att.section)}]${att.partial ? `<${att.partial.offset}>` : ''}`;
    case 'BINARY.SIZE':
      return `BINARY.SIZE[${formatSection(att.section)}]`;
  }
}

/** Whether fetching this item sets \Seen (RFC 9051 §6.4.5: BODY[...], BINARY[...], RFC822, RFC822.TEXT). */
export function fetchSetsSeen(att: FetchAtt): boolean {
  return (
    ((att.type === 'BODY[]' || att.type === 'BINARY[]') && !att.peek) || att.type === 'RFC822' || att.type === 'RFC822.TEXT'
  );
}


/**
 * The same section in the shape src/mime/section.ts takes ({ path, specifier?, fields? }),
 * so the session can pass it straight to sectionBytes().
 */
export function toMimeSection(s: SectionSpec): { path: number[]; specifier?: SectionText; fields?: string[] } {
  const out: { path: number[]; specifier?: SectionText; fields?: string[] } = { path: s.part };
  if (s.text) out.specifier = s.text;
  if (s.fields) out.fields = s.fields;
  return out;
}
