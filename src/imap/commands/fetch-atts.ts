/**
 * FETCH data items (RFC 9051 §6.4.5, §9 fetch-att; RFC 3516 BINARY; RFC 7162 MODSEQ and
 * CHANGEDSINCE) parsed from wire tokens into a plan the fetch command executes.
 *
 * LOCAL until the wire layer offers a fetch-att parser (request: `parseFetchAtts(tokens)`
 * in src/imap/wire/args/); sections come from the wire lexer's section tokens.
 */
import type { Section, SectionSpecifier } from '../../mime/section.js';
import type { Token } from '../wire/tokens.js';
import { bad } from '../session/types.js';

export type FetchItem =
  | { kind: 'simple'; name: 'FLAGS' | 'INTERNALDATE' | 'RFC822.SIZE' | 'ENVELOPE' | 'BODY' | 'BODYSTRUCTURE' | 'UID' | 'MODSEQ' }
  | { kind: 'body'; label: string; section: Section; peek: boolean; partial: { offset: number; length: number | null } | null }
  | { kind: 'binary'; label: string; path: number[]; peek: boolean; size: boolean; partial: { offset: number; length: number | null } | null };

export interface FetchPlan {
  items: FetchItem[];
  changedSince: number | null;
}

const SIMPLE = new Set(['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY', 'BODYSTRUCTURE', 'UID', 'MODSEQ']);
const MACROS: Record<string, string[]> = {
  ALL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE'],
  FAST: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE'],
  FULL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY'],
};

function atomItem(v: string): FetchItem {
  const u = v.toUpperCase();
  if (SIMPLE.has(u)) return { kind: 'simple', name: u as 'FLAGS' };
  if (u === 'RFC822') return { kind: 'body', label: 'RFC822', section: { path: [] }, peek: false, partial: null };
  if (u === 'RFC822.HEADER') return { kind: 'body', label: 'RFC822.HEADER', section: { path: [], specifier: 'HEADER' }, peek: true, partial: null };
  if (u === 'RFC822.TEXT') return { kind: 'body', label: 'RFC822.TEXT', section: { path: [], specifier: 'TEXT' }, peek: false, partial: null };
  throw bad(`Unknown FETCH item ${v.slice(0, 40)}`);
}

function tokText(t: Token): string {
  if (t.type === 'atom' || t.type === 'quoted') return t.value;
  if (t.type === 'literal') return t.value.toString('utf8');
  throw bad('Expected a header field name');
}

/** section spec (RFC 9051 §9 section-spec): parts "1.2", then HEADER / HEADER.FIELDS[.NOT] (list) / TEXT / MIME */
function parseSection(toks: Token[]): { section: Section; label: string } {
  if (!toks.length) return { section: { path: [] }, label: '' };
  const first = toks[0];
  if (first.type !== 'atom') throw bad('Invalid section');
  const SPEC = 'HEADER\\.FIELDS\\.NOT|HEADER\\.FIELDS|HEADER|TEXT|MIME';
  const m = new RegExp(`^(?:([1-9]\\d{0,8}(?:\\.[1-9]\\d{0,8})*)(?:\\.(${SPEC}))?|(${SPEC}))$`, 'i').exec(first.value);
  if (!m) throw bad(`Invalid section "${first.value.slice(0, 40)}"`);
  const path = m[1] ? m[1].split('.').map(Number) : [];
  const spec = (m[2] ?? m[3])?.toUpperCase() as SectionSpecifier | undefined;
  if (spec === 'MIME' && !path.length) throw bad('MIME needs a part number');
  const section: Section = { path, specifier: spec };
  let label = (m[1] ?? '') + (m[1] && spec ? '.' : '') + (spec ?? '');
  if (spec === 'HEADER.FIELDS' || spec === 'HEADER.FIELDS.NOT') {
    const list = toks[1];
    if (!list || list.type !== 'list' || !list.items.length) throw bad(`${spec} needs a list of field names`);
    section.fields = list.items.map(tokText);
    label += ` (${section.fields.map((f) => f.toUpperCase()).join(' ')})`;
    if (toks.length > 2) throw bad('Invalid section');
  } else if (toks.length > 1) throw bad('Invalid section');
  return { section, label };
}

function sectionItem(t: Extract<Token, { type: 'section' }>): FetchItem {
  const name = t.name.toUpperCase();
  if (name === 'BODY' || name === 'BODY.PEEK') {
    const { section, label } = parseSection(t.section);
    return { kind: 'body', label: `BODY[${label}]`, section, peek: name === 'BODY.PEEK', partial: t.partial };
  }
  // BINARY[section-binary]: part numbers only (RFC 3516 §4.1)
  const spec = t.section.length ? t.section[0] : null;
  if (t.section.length > 1 || (spec && (spec.type !== 'atom' || !/^[1-9]\d{0,8}(\.[1-9]\d{0,8})*$/.test(spec.value)))) {
    throw bad('BINARY sections are part numbers only');
  }
  const pathText = spec && spec.type === 'atom' ? spec.value : '';
  const path = pathText ? pathText.split('.').map(Number) : [];
  if (name === 'BINARY.SIZE') {
    if (t.partial) throw bad('BINARY.SIZE takes no partial range');
    return { kind: 'binary', label: `BINARY.SIZE[${pathText}]`, path, peek: true, size: true, partial: null };
  }
  return { kind: 'binary', label: `BINARY[${pathText}]`, path, peek: name === 'BINARY.PEEK', size: false, partial: t.partial };
}

function item(t: Token): FetchItem[] {
  if (t.type === 'section') return [sectionItem(t)];
  if (t.type !== 'atom') throw bad('Invalid FETCH item');
  return [atomItem(t.value)];
}

/** fetch arguments after the sequence set: a macro, one item, or a list; then optional modifiers */
export function parseFetch(args: Token[], condstore: boolean): FetchPlan {
  const what = args[0];
  if (!what) throw bad('FETCH needs data items');
  let items: FetchItem[];
  if (what.type === 'atom' && MACROS[what.value.toUpperCase()]) items = MACROS[what.value.toUpperCase()].map(atomItem);
  else if (what.type === 'list') {
    if (!what.items.length) throw bad('Empty FETCH item list');
    items = what.items.flatMap(item);
  } else items = item(what);
  let changedSince: number | null = null;
  const mods = args[1];
  if (mods) {
    if (mods.type !== 'list' || args.length > 2) throw bad('Invalid FETCH modifiers');
    for (let i = 0; i < mods.items.length; i++) {
      const m = mods.items[i];
      if (m.type === 'atom' && m.value.toUpperCase() === 'CHANGEDSINCE') {
        const v = mods.items[++i];
        if (!v || v.type !== 'atom' || !/^\d{1,16}$/.test(v.value)) throw bad('CHANGEDSINCE needs a mod-sequence');
        changedSince = Number(v.value);
      } else throw bad('Unknown FETCH modifier');
    }
  }
  if (!condstore && (changedSince !== null || items.some((i) => i.kind === 'simple' && i.name === 'MODSEQ'))) {
    // using MODSEQ enables CONDSTORE (RFC 7162 §3.1)
  }
  return { items, changedSince };
}
