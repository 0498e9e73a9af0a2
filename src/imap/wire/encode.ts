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

export type WireValue = null | number | bigint | string | Buffer | Atom | Literal | Concat | WireValue[];

export function concat(items: readonly WireValue[]): Concat {
  return new Concat(items);
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

/** The atom list of flags, e.g. (\Seen $Forwarded). */
export function flagList(flags: readonly string[]): WireValue[] {
  return flags.map((f) => new Atom(f));
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

/** Accumulates text and literal chunks. */
export class WireWriter {
  private readonly out: Buffer[] = [];
  private text = '';

  constructor(readonly opts: EncodeOptions = {}) {}

  raw(s: string): this {
    this.text += s;
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
    else {
      this.text += '(';
      v.forEach((item, i) => {
        if (i) this.text += ' ';
        this.value(item);
      });
      this.text += ')';
    }
    return this;
  }

  /** Values separated by SP. */
  values(vs: readonly WireValue[]): this {
    vs.forEach((v, i) => {
      if (i) this.text += ' ';
      this.value(v);
    });
    return this;
  }

  private literal(data: Buffer, binary: boolean): void {
    this.text += `${binary ? '~' : ''}{${data.length}}\r\n`;
    this.flush();
    if (data.length) this.out.push(data);
  }

  private flush(): void {
    if (this.text) {
      this.out.push(Buffer.from(this.text, 'utf8'));
      this.text = '';
    }
  }

  /** The encoded chunks (the writer may not be used afterwards). */
  chunks(): Buffer[] {
    this.flush();
    return this.out;
  }

  toBuffer(): Buffer {
    const c = this.chunks();
    return c.length === 1 ? c[0]! : Buffer.concat(c);
  }
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

function writeCode(w: WireWriter, code: RespCode | undefined): void {
  if (!code) return;
  w.raw('[' + code.name);
  if (code.args?.length) w.raw(' ').values(code.args);
  w.raw('] ');
}

/** `tag STATUS [CODE] text\r\n` (tagged) or `* STATUS ...` when tag is "*" (RFC 9051 §7.1). */
export function encodeStatus(tag: string, status: Status, text: string, code?: RespCode, opts?: EncodeOptions): Buffer {
  const w = new WireWriter(opts).raw(`${tag} ${status} `);
  writeCode(w, code);
  return w.raw(cleanText(text) + '\r\n').toBuffer();
}

export function encodeTagged(tag: string, status: 'OK' | 'NO' | 'BAD', text: string, code?: RespCode): Buffer {
  return encodeStatus(tag, status, text, code);
}

/** `* <values...>\r\n`, e.g. encodeUntagged([23, atom('EXISTS')]) or [atom('FLAGS'), flagList(...)] */
export function encodeUntagged(values: readonly WireValue[], opts?: EncodeOptions): Buffer[] {
  return new WireWriter(opts).raw('* ').values(values).raw('\r\n').chunks();
}

/** Same as encodeUntagged joined into one Buffer (for small responses). */
export function encodeUntaggedBuffer(values: readonly WireValue[], opts?: EncodeOptions): Buffer {
  return Buffer.concat(encodeUntagged(values, opts));
}

/** `+ text\r\n` (RFC 9051 §7.5). */
export function encodeContinuation(text = 'Ready for literal data'): Buffer {
  return Buffer.from(`+ ${cleanText(text)}\r\n`, 'utf8');
}

/** SASL challenge `+ <base64>\r\n` (RFC 9051 §6.2.2; empty challenge → "+ "). */
export function encodeChallenge(data: Buffer): Buffer {
  return Buffer.from(`+ ${data.toString('base64')}\r\n`, 'latin1');
}

/**
 * `* <seq> FETCH (<label> <value> ...)\r\n` (RFC 9051 §7.5.2). Labels are written verbatim
 * (e.g. "FLAGS", "BODY[HEADER.FIELDS (FROM)]<0>"); a Buffer value is sent as a literal from
 * the Buffer itself (no copy), a Literal with binary=true as literal8.
 */
export function encodeFetch(seq: number, items: ReadonlyArray<readonly [label: string, value: WireValue]>, opts?: EncodeOptions): Buffer[] {
  const w = new WireWriter(opts).raw(`* ${seq} FETCH (`);
  items.forEach(([label, value], i) => {
    if (i) w.raw(' ');
    w.raw(label + ' ').value(value);
  });
  return w.raw(')\r\n').chunks();
}
