/**
 * Response encoder (RFC 9051 §7; grammar §9 "response", "resp-text", "string", "nstring").
 *
 * Values are plain JS data: WireValue. Encoding produces Buffer[] chunks so that large
 * message data (BODY[], BINARY[]) is written as a literal straight from its Buffer without
 * being copied into a string; the session writes the chunks in order (socket.cork()/write()).
 *
 *   null            → NIL
 *   number / bigint → number
 *   string          → quoted string when safe (no CR/LF/NUL, ≤ 1024 bytes, 7-bit unless utf8
 *                     mode), otherwise a literal {n} with the exact UTF-8 byte count
 *   Buffer          → always a literal {n}
 *   Atom            → written verbatim (atoms, flags, section labels such as BODY[1]<0>)
 *   Literal         → forced literal; literal8 ~{n} when binary (RFC 3516 BINARY with NUL)
 *   Concat          → its items with no separator (multipart bodies, address lists)
 *   WireValue[]     → parenthesized list, items separated by SP
 *
 * This is the ONE response path of the IMAP server: the session and every command build
 * their responses from these values (WireWriter.untagged / status / fetch / continuation),
 * so quoting, literals and UTF-8 are decided here and nowhere else. No command writes
 * hand-built response text.
 */
export class Atom {
  constructor(readonly text: string) {}
}

export class Literal {
  constructor(
    readonly data: Buffer,
    readonly binary = false,
  ) {}
}

/**
 * Items written back to back without separators: body-type-mpart "1*body" and the
 * address lists of ENVELOPE "(" 1*address ")" have no SP between their elements (RFC 9051 §9).
 */
export class Concat {
  constructor(readonly items: readonly WireValue[]) {}
}

/** Numbers separated by SP (a SEARCH or SORT answer): written as digits straight into bytes */
export class NumberList {
  constructor(readonly nums: ArrayLike<number>) {}
}

export type WireValue = null | number | bigint | string | Buffer | Atom | Literal | Concat | NumberList | WireValue[];

export function concat(items: readonly WireValue[]): Concat {
  return new Concat(items);
}

/** `n n n` for a list of non-negative integers; an empty list writes nothing (leave it out of a response) */
export function numberList(nums: ArrayLike<number>): NumberList {
  return new NumberList(nums);
}

/** the bytes of a NumberList: a mailbox's worth of UIDs is 0.1 s of string building, 2 ms of this */
function numberBytes(nums: ArrayLike<number>): Buffer {
  // up to 10 digits (UIDs and sequence numbers are 32-bit) and a space each
  const buf = Buffer.allocUnsafe(nums.length * 11);
  let p = 0;
  for (let i = 0; i < nums.length; i++) {
    let v = nums[i]!;
    if (!(v >= 0 && v < 1e10 && Number.isInteger(v))) return Buffer.from(Array.from(nums, (x) => String(Math.trunc(x))).join(' '));
    if (i) buf[p++] = 0x20;
    let len = 1;
    for (let x = v; x >= 10; x = Math.floor(x / 10)) len++;
    for (let k = p + len - 1; k >= p; k--) {
      buf[k] = 0x30 + (v % 10);
      v = Math.floor(v / 10);
    }
    p += len;
  }
  return buf.subarray(0, p);
}

export interface EncodeOptions {
  /** UTF-8 allowed in quoted strings (IMAP4rev2 / UTF8=ACCEPT enabled, RFC 9051 §9 QUOTED-CHAR) */
  utf8?: boolean;
}

/** Verbatim text (atom, flag, number, section label). */
export function atom(text: string): Atom {
  return new Atom(text);
}

/** Forced literal; binary=true writes literal8 `~{n}` (RFC 3516). */
export function literal(data: Buffer | string, binary = false): Literal {
  return new Literal(Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8'), binary);
}

/** The atom list of flags, e.g. (\Seen $Forwarded); `recent` appends \Recent (IMAP4rev1). */
export function flagList(flags: readonly string[], recent = false): WireValue[] {
  // flags are atoms written verbatim: one Atom holding them SP-separated gives the same bytes
  // as one Atom each, with one allocation (FETCH FLAGS of a whole mailbox is the hot path)
  const text = recent ? (flags.length ? flags.join(' ') + ' \\Recent' : '\\Recent') : flags.join(' ');
  return text ? [new Atom(text)] : [];
}

/** A sequence set or UID set as an atom, e.g. 1:3,5 (sorted, compressed; RFC 9051 §9 sequence-set). */
export function seqSet(nums: Iterable<number>): Atom {
  return new Atom(formatSequenceSet(nums));
}

/** RFC 9051 §9 ASTRING-CHAR: ATOM-CHAR or resp-specials "]" */
const ASTRING_ATOM = /^[!#$&'+,\-./0-9:;<=>?@A-Z^_`a-z|}~\]]+$/;

/** astring (RFC 9051 §9): a bare atom when the text allows it, else a quoted string or a literal. */
export function astring(text: string): WireValue {
  return ASTRING_ATOM.test(text) && text.toUpperCase() !== 'NIL' ? new Atom(text) : text;
}

const MAX_QUOTED = 1024;

/** Whether `s` may be sent as a quoted string (RFC 9051 §4.3; 7-bit unless utf8). */
export function isQuotedSafe(s: string, utf8: boolean): boolean {
  if (s.length > MAX_QUOTED) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0 || c === 0x0a || c === 0x0d) return false;
    if (c >= 0x80 && !utf8) return false;
  }
  return !utf8 || Buffer.byteLength(s, 'utf8') <= MAX_QUOTED;
}

export function quote(s: string): string {
  return '"' + s.replace(/[\\"]/g, (m) => '\\' + m) + '"';
}

/** writes a non-negative integer's decimal digits at b[p]; returns the position after them */
function putNumber(b: Buffer, p: number, n: number): number {
  if (n < 0x80000000) {
    // int32 arithmetic (a double's % is a call to fmod per digit)
    let x = n | 0;
    if (x < 10) {
      b[p] = 48 + x;
      return p + 1;
    }
    let digits = 1;
    for (let y = x; y >= 10; y = (y / 10) | 0) digits++;
    const end = p + digits;
    for (let q = end - 1; q >= p; q--) {
      const d = (x / 10) | 0;
      b[q] = 48 + x - d * 10;
      x = d;
    }
    return end;
  }
  return putAscii(b, p, String(Math.trunc(n)));
}

/** writes an ASCII string's characters at b[p]; returns the position after them */
function putAscii(b: Buffer, p: number, s: string): number {
  for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
  return p;
}

/** a flag list as text: the atoms are written verbatim */
function flagsText(flags: readonly string[], recent: boolean): string {
  const n = flags.length;
  if (n === 0) return recent ? '(\\Recent)' : '()';
  if (n === 1) return recent ? '(' + flags[0] + ' \\Recent)' : '(' + flags[0] + ')';
  return '(' + flags.join(' ') + (recent ? ' \\Recent)' : ')');
}

/**
 * Gathered response text becomes a Buffer chunk at about this size: a FETCH of a whole
 * mailbox would otherwise build one string of megabytes from millions of pieces, which V8
 * keeps as a deep rope that survives young-generation GCs and is flattened at the end.
 */
const TEXT_CHUNK = 32 * 1024;

/** fetchMeta's rows are written into buffers that double from the first size to the last (a 10,000-message FLAGS FETCH takes about 400 KB) */
const META_FIRST = 2 * 1024;
const META_LAST = 64 * 1024;

/**
 * Accumulates text and literal chunks; one writer may gather many responses (a FETCH batch).
 * Order on the wire: `out` (chunks), then the bytes fetchMeta wrote since (`meta`, from
 * metaStart to metaPos), then `text`: fetchMeta turns pending text into a chunk before it
 * writes, and every chunk pushed to `out` (flush) takes the meta bytes first.
 */
export class WireWriter {
  private readonly out: Buffer[] = [];
  private outBytes = 0;
  private text = '';
  private meta: Buffer | null = null;
  private metaStart = 0;
  private metaPos = 0;
  private metaSize = 0;

  constructor(readonly opts: EncodeOptions = {}) {}

  /** Verbatim text: only for fixed grammar pieces (SP, parentheses, labels), never for data. */
  raw(s: string): this {
    this.text += s;
    return this;
  }

  /** Text that encodeText() produced earlier for a value (a cached encoding), written as it is. */
  encoded(text: EncodedText): this {
    this.text += text.text;
    return this;
  }

  value(v: WireValue): this {
    if (v === null) this.text += 'NIL';
    else if (typeof v === 'number') this.text += String(Math.trunc(v));
    else if (typeof v === 'bigint') this.text += v.toString();
    else if (typeof v === 'string') {
      if (isQuotedSafe(v, !!this.opts.utf8)) this.text += quote(v);
      else this.literal(Buffer.from(v, 'utf8'), false);
    } else if (Buffer.isBuffer(v)) this.literal(v, false);
    else if (v instanceof Atom) this.text += v.text;
    else if (v instanceof Literal) this.literal(v.data, v.binary);
    else if (v instanceof Concat) for (const item of v.items) this.value(item);
    else if (v instanceof NumberList) this.bytes(numberBytes(v.nums));
    else {
      this.text += '(';
      for (let i = 0; i < v.length; i++) {
        if (i) this.text += ' ';
        this.value(v[i]!);
      }
      this.text += ')';
    }
    return this;
  }

  /** Values separated by SP. */
  values(vs: readonly WireValue[]): this {
    for (let i = 0; i < vs.length; i++) {
      if (i) this.text += ' ';
      this.value(vs[i]!);
    }
    return this;
  }

  /** `* <values...>\r\n` (RFC 9051 §7.2-§7.5), e.g. untagged([23, atom('EXISTS')]). */
  untagged(values: readonly WireValue[]): this {
    this.text += '* ';
    this.values(values);
    this.text += '\r\n';
    return this;
  }

  /** `tag STATUS [CODE] text\r\n`; tag "*" for an untagged status response (RFC 9051 §7.1). */
  status(tag: string, status: Status, text: string, code?: RespCode): this {
    this.text += `${tag} ${status} `;
    if (code) {
      this.text += '[' + code.name;
      if (code.args?.length) {
        this.text += ' ';
        this.values(code.args);
      }
      this.text += '] ';
    }
    this.text += cleanText(text) + '\r\n';
    return this;
  }

  /**
   * `* <seq> FETCH (<label> <value> ...)\r\n` (RFC 9051 §7.5.2), or `* <uid> UIDFETCH (...)`
   * after ENABLE UIDONLY (RFC 9586 §3.3): the one FETCH writer. Labels
   * are written verbatim ("FLAGS", "BODY[HEADER.FIELDS (FROM)]<0>"); a Buffer value goes out
   * as a literal from the Buffer itself (no copy), a Literal with binary=true as literal8.
   */
  fetch(seq: number, items: ReadonlyArray<readonly [label: string, value: WireValue]>, keyword: 'FETCH' | 'UIDFETCH' = 'FETCH'): this {
    this.fetchBegin(seq, keyword);
    for (let i = 0; i < items.length; i++) this.fetchItem(items[i]![0]).value(items[i]![1]);
    return this.fetchEnd();
  }

  private firstItem = true;

  /**
   * The same response written item by item (FETCH of a whole mailbox renders each message
   * straight into the writer): fetchBegin, then per item fetchItem(label) followed by its
   * value (value(), or flags() / number() for the hot metadata items), then fetchEnd.
   */
  fetchBegin(num: number, keyword: 'FETCH' | 'UIDFETCH' = 'FETCH'): this {
    this.text += '* ' + num + (keyword === 'FETCH' ? ' FETCH (' : ' UIDFETCH (');
    this.firstItem = true;
    return this;
  }

  /** the label of the next item (verbatim: "FLAGS", "BODY[HEADER.FIELDS (FROM)]<0>"); its value follows */
  fetchItem(label: string): this {
    if (this.firstItem) {
      this.firstItem = false;
      this.text += label + ' ';
    } else this.text += ' ' + label + ' ';
    return this;
  }

  fetchEnd(): this {
    this.text += ')\r\n';
    if (this.text.length > TEXT_CHUNK) this.flush();
    return this;
  }

  /** a flag list value, e.g. (\Seen $Forwarded); the same bytes as value(flagList(flags, recent)) */
  flags(flags: readonly string[], recent = false): this {
    this.text += flagsText(flags, recent);
    return this;
  }

  /**
   * A metadata-only FETCH response in one call, for the hot path of every client's sync
   * (FETCH 1:* (UID FLAGS) over a whole mailbox): `order` names the items as asked, 'U' UID,
   * 'F' FLAGS, 'M' MODSEQ. The same bytes as fetchBegin, fetchItem… and fetchEnd.
   */
  fetchMeta(num: number, keyword: 'FETCH' | 'UIDFETCH', order: string, uid: number, flags: readonly string[], recent: boolean, modseq: number): this {
    // written as bytes (digits and ASCII flags straight into a buffer): no string to build,
    // flatten and encode per row, which was most of a whole mailbox's FLAGS FETCH
    let need = 64 + order.length * 32 + (recent ? 9 : 0);
    for (let i = 0; i < flags.length; i++) {
      const f = flags[i]!;
      for (let j = 0; j < f.length; j++) if (f.charCodeAt(j) > 0x7e) return this.fetchMetaText(num, keyword, order, uid, flags, recent, modseq);
      need += f.length + 1;
    }
    if (this.text) this.flush();
    let b = this.meta;
    if (!b || this.metaPos + need > b.length) {
      this.sealMeta();
      b = this.meta = Buffer.allocUnsafe(Math.max((this.metaSize = b ? Math.min(this.metaSize * 2, META_LAST) : META_FIRST), need));
      this.metaStart = this.metaPos = 0;
    }
    let p = this.metaPos;
    b[p++] = 42; // *
    b[p++] = 32;
    p = putNumber(b, p, num);
    p = putAscii(b, p, keyword === 'FETCH' ? ' FETCH (' : ' UIDFETCH (');
    for (let i = 0; i < order.length; i++) {
      if (i) b[p++] = 32;
      const c = order.charCodeAt(i);
      if (c === 85 /* U */) {
        p = putAscii(b, p, 'UID ');
        p = putNumber(b, p, uid);
      } else if (c === 70 /* F */) {
        p = putAscii(b, p, 'FLAGS (');
        for (let j = 0; j < flags.length; j++) {
          if (j) b[p++] = 32;
          p = putAscii(b, p, flags[j]!);
        }
        if (recent) p = putAscii(b, p, flags.length ? ' \\Recent' : '\\Recent');
        b[p++] = 41; // )
      } else {
        p = putAscii(b, p, 'MODSEQ (');
        p = putNumber(b, p, modseq);
        b[p++] = 41;
      }
    }
    b[p++] = 41;
    b[p++] = 13;
    b[p++] = 10;
    this.metaPos = p;
    return this;
  }

  /** fetchMeta as text, for flags that are not plain ASCII (the same bytes as the item-by-item path) */
  private fetchMetaText(num: number, keyword: 'FETCH' | 'UIDFETCH', order: string, uid: number, flags: readonly string[], recent: boolean, modseq: number): this {
    this.sealMeta();
    let t = keyword === 'FETCH' ? '* ' + num + ' FETCH (' : '* ' + num + ' UIDFETCH (';
    for (let i = 0; i < order.length; i++) {
      if (i) t += ' ';
      const c = order.charCodeAt(i);
      if (c === 85 /* U */) t += 'UID ' + uid;
      else if (c === 70 /* F */) t += 'FLAGS ' + flagsText(flags, recent);
      else t += 'MODSEQ (' + modseq + ')';
    }
    this.text += t + ')\r\n';
    return this;
  }

  /** the bytes fetchMeta wrote since the last chunk become a chunk (before any text that follows them) */
  private sealMeta(): void {
    if (this.metaPos > this.metaStart) {
      this.out.push(this.meta!.subarray(this.metaStart, this.metaPos));
      this.outBytes += this.metaPos - this.metaStart;
      this.metaStart = this.metaPos;
    }
  }

  /** a number value (the same as value(n)) */
  number(n: number): this {
    this.text += Number.isInteger(n) ? n : Math.trunc(n);
    return this;
  }

  /** `+ text\r\n` (RFC 9051 §7.5). */
  continuation(text = 'Ready for literal data'): this {
    this.text += `+ ${cleanText(text)}\r\n`;
    return this;
  }

  /** SASL challenge `+ <base64>\r\n` (RFC 9051 §6.2.2; an empty challenge is "+ "). */
  challenge(base64: string): this {
    if (!/^[A-Za-z0-9+/=]*$/.test(base64)) throw new Error('a SASL challenge must be base64');
    this.text += `+ ${base64}\r\n`;
    return this;
  }

  private literal(data: Buffer, binary: boolean): void {
    this.text += `${binary ? '~' : ''}{${data.length}}\r\n`;
    this.flush();
    if (data.length) {
      this.out.push(data);
      this.outBytes += data.length;
    }
  }

  /** bytes already in wire form (digits), gathered as they are */
  private bytes(b: Buffer): void {
    this.flush();
    if (b.length) {
      this.out.push(b);
      this.outBytes += b.length;
    }
  }

  private flush(): void {
    this.sealMeta();
    if (this.text) {
      const b = Buffer.from(this.text, 'utf8');
      this.out.push(b);
      this.outBytes += b.length;
      this.text = '';
    }
  }

  /** about how many bytes are gathered (pending text counted in UTF-16 units): for batching writes */
  get size(): number {
    return this.outBytes + (this.metaPos - this.metaStart) + this.text.length;
  }

  /** nothing but text was gathered (no literal) */
  get textOnly(): boolean {
    return this.out.length === 0 && this.metaPos === this.metaStart;
  }

  /** the text gathered since the last chunk */
  get pendingText(): string {
    return this.text;
  }

  get empty(): boolean {
    return this.text === '' && this.out.length === 0 && this.metaPos === this.metaStart;
  }

  /** The encoded chunks; the writer is empty afterwards and may be reused. */
  chunks(): Buffer[] {
    this.flush();
    this.outBytes = 0;
    return this.out.splice(0);
  }

  /** Everything gathered as one Buffer; the writer is empty afterwards. */
  toBuffer(): Buffer {
    const c = this.chunks();
    return c.length === 1 ? c[0]! : Buffer.concat(c);
  }
}

/** A value's encoding as text, from encodeText(): only such text may be written with WireWriter.encoded(). */
export class EncodedText {
  constructor(readonly text: string) {}
}

/**
 * A value's encoding as it goes on the wire, to be kept and written again (FETCH caches the
 * ENVELOPE and BODYSTRUCTURE of messages it has rendered); null when the value needs a
 * literal, which must be written through value() each time.
 */
export function encodeText(v: WireValue, opts: EncodeOptions = {}): EncodedText | null {
  const w = new WireWriter(opts).value(v);
  return w.textOnly ? new EncodedText(w.pendingText) : null;
}

/** One value encoded to a string (tests, logging; literal data included as text). */
export function encodeToString(v: WireValue, opts: EncodeOptions = {}): string {
  return new WireWriter(opts).value(v).toBuffer().toString('utf8');
}

// ───────────────────────── responses (RFC 9051 §7) ─────────────────────────

export type Status = 'OK' | 'NO' | 'BAD' | 'PREAUTH' | 'BYE';

/** A response code (RFC 9051 §7.1): [NAME] or [NAME args...], e.g. respCode('APPENDUID', 38505, 3955). */
export interface RespCode {
  name: string;
  args?: WireValue[];
}

export function respCode(name: string, ...args: WireValue[]): RespCode {
  return args.length ? { name, args } : { name };
}

/** resp-text TEXT-CHAR: no CR/LF/NUL; never empty. */
export function cleanText(text: string): string {
  const t = text.replace(/[\r\n\0]+/g, ' ').trim();
  return t || 'Completed';
}

/** `tag STATUS [CODE] text\r\n` (tagged) or `* STATUS ...` when tag is "*" (RFC 9051 §7.1). */
export function encodeStatus(tag: string, status: Status, text: string, code?: RespCode, opts?: EncodeOptions): Buffer {
  return new WireWriter(opts).status(tag, status, text, code).toBuffer();
}

export function encodeTagged(tag: string, status: 'OK' | 'NO' | 'BAD', text: string, code?: RespCode): Buffer {
  return encodeStatus(tag, status, text, code);
}

/** `* <values...>\r\n`, e.g. encodeUntagged([23, atom('EXISTS')]) or [atom('FLAGS'), flagList(...)] */
export function encodeUntagged(values: readonly WireValue[], opts?: EncodeOptions): Buffer[] {
  return new WireWriter(opts).untagged(values).chunks();
}

/** Same as encodeUntagged joined into one Buffer (for small responses). */
export function encodeUntaggedBuffer(values: readonly WireValue[], opts?: EncodeOptions): Buffer {
  return Buffer.concat(encodeUntagged(values, opts));
}

/** `+ text\r\n` (RFC 9051 §7.5). */
export function encodeContinuation(text = 'Ready for literal data'): Buffer {
  return new WireWriter().continuation(text).toBuffer();
}

/** SASL challenge `+ <base64>\r\n` (RFC 9051 §6.2.2; empty challenge → "+ "). */
export function encodeChallenge(data: Buffer): Buffer {
  return new WireWriter().challenge(data.toString('base64')).toBuffer();
}

/** `* <seq> FETCH (...)\r\n` as chunks (see WireWriter.fetch). */
export function encodeFetch(seq: number, items: ReadonlyArray<readonly [label: string, value: WireValue]>, opts?: EncodeOptions): Buffer[] {
  return new WireWriter(opts).fetch(seq, items).chunks();
}

/** Formats ascending numbers compactly ("1:3,7,9:10"), e.g. for COPYUID/APPENDUID/ESEARCH/VANISHED. */
export function formatSequenceSet(nums: Iterable<number>): string {
  const sorted = [...nums].sort((a, b) => a - b);
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1]! <= sorted[j]! + 1) j++;
    parts.push(sorted[i] === sorted[j] ? String(sorted[i]) : `${sorted[i]}:${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** Formats numbers in the given order, joining consecutive runs (COPYUID needs source order). */
export function formatSequenceList(nums: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < nums.length) {
    let j = i;
    while (j + 1 < nums.length && nums[j + 1] === nums[j]! + 1) j++;
    parts.push(i === j ? String(nums[i]) : `${nums[i]}:${nums[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
