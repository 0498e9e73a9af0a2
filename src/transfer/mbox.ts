/**
 * mbox files as import sources and export targets.
 * Reading streams the file through MboxSplitter (../mime/mbox.ts): one message in memory
 * at a time. The status headers mbox writers keep inside messages (Status, X-Status,
 * X-Keywords; Dovecot's and UW-IMAP's X-UID, X-IMAP, X-IMAPbase) become flags, UIDs and
 * UIDVALIDITY and are removed from the stored message, as Dovecot hides them; the From_
 * line's date becomes the internal date. Writing produces mboxrd (">From " quoting) with
 * those same headers, so export → import gives back the same bytes, flags and UIDs.
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { MboxSplitter } from '../mime/mbox.js';
import { parseHeaderBlock, type HeaderField } from '../mime/header.js';
import { takeHeaderFields } from './headers.js';
import type { Flag } from '../store/types.js';
import { toCrlf, toLf } from './eol.js';
import { mboxFlags, mboxStatus } from './flags.js';
import type { SourceFolder, SourceMessage } from './types.js';

const META = new Set(['status', 'x-status', 'x-keywords', 'x-uid', 'x-imap', 'x-imapbase']);
const CHUNK = 1 << 20;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "From sender Mon Jan  1 08:00:00 2024" (asctime, optionally with a zone) → the date, as UTC when no zone is given */
export function fromLineDate(line: string): Date | undefined {
  const m = /(\w{3}) +(\d{1,2}) +(\d{1,2}):(\d\d)(?::(\d\d))? +(?:([+-]\d{4}|[A-Z]{3,4}) +)?(\d{4})\s*$/.exec(line);
  if (!m) return undefined;
  const month = MONTHS.indexOf(m[1]!);
  if (month < 0) return undefined;
  let t = Date.UTC(Number(m[7]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5] ?? 0));
  if (m[6] && /^[+-]\d{4}$/.test(m[6])) {
    const z = m[6];
    t -= (z[0] === '-' ? -1 : 1) * (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5))) * 60_000;
  }
  return Number.isFinite(t) ? new Date(t) : undefined;
}

interface Parsed {
  raw: Buffer;
  flags: Flag[];
  uid?: number;
  /** X-IMAPbase / X-IMAP value: "uidvalidity uidnext [keywords]" */
  base?: string;
  /** UW-IMAP's pseudo message holding folder data: never imported */
  pseudo: boolean;
}

/** Takes the status headers out of one message (header block only) and reads them. */
function parseMessage(raw: Buffer): Parsed {
  const { fields: meta, rest: body } = takeHeaderFields(raw, META);
  const get = (k: string) => meta.find((f) => f.key === k)?.value ?? null;
  const uid = Number(get('x-uid'));
  return {
    raw: body,
    flags: mboxFlags(get('status'), get('x-status'), get('x-keywords')),
    uid: Number.isInteger(uid) && uid > 0 ? uid : undefined,
    base: get('x-imapbase') ?? get('x-imap') ?? undefined,
    pseudo: get('x-imap') !== null,
  };
}

async function* splitFile(path: string, maxMessageBytes: number) {
  const splitter = new MboxSplitter(maxMessageBytes);
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK })) yield* splitter.push(chunk as Buffer);
  yield* splitter.end();
}

export interface MboxReadOptions {
  /** messages above this are skipped (counted in `tooLarge`) */
  maxMessageBytes: number;
  onTooLarge?: (size: number) => void;
}

/** An mbox file as an import source named `name`. */
export async function mboxFolder(path: string, name: string, opts: MboxReadOptions): Promise<SourceFolder> {
  // the first message may carry the folder's UIDVALIDITY (X-IMAPbase, or UW-IMAP's X-IMAP pseudo message)
  let uidValidity: number | undefined;
  let count = 0;
  for await (const m of splitFile(path, opts.maxMessageBytes)) {
    if (count++ === 0 && m.raw) {
      const base = parseMessage(m.raw).base;
      const v = base ? Number(base.split(/\s+/)[0]) : NaN;
      if (Number.isInteger(v) && v > 0 && v <= 0xffffffff) uidValidity = v;
    }
  }
  return {
    name,
    uidValidity,
    count,
    async *messages(): AsyncIterable<SourceMessage> {
      for await (const m of splitFile(path, opts.maxMessageBytes)) {
        if (!m.raw) {
          opts.onTooLarge?.(m.size);
          continue;
        }
        const p = parseMessage(m.raw);
        if (p.pseudo) continue;
        yield { raw: toCrlf(p.raw), flags: p.flags, internalDate: fromLineDate(m.fromLine), uid: uidValidity ? p.uid : undefined };
      }
    },
  };
}

function asctime(d: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

/** mboxrd: every line that is ">*From " gets one more ">" */
function quoteFromLines(msg: Buffer): Buffer {
  if (!msg.includes('From ')) return msg;
  const out: Buffer[] = [];
  let pos = 0;
  let last = 0;
  while (pos < msg.length) {
    const nl = msg.indexOf(10, pos);
    const next = nl < 0 ? msg.length : nl + 1;
    let q = pos;
    while (q < next && msg[q] === 62) q++;
    if (msg.toString('latin1', q, q + 5) === 'From ') {
      out.push(msg.subarray(last, pos), Buffer.from('>'));
      last = pos;
    }
    pos = next;
  }
  out.push(msg.subarray(last));
  return Buffer.concat(out);
}

/** Writes messages to one mbox file (mboxrd, LF line endings, status headers). */
export class MboxWriter {
  private out: WriteStream;
  private first = true;

  constructor(
    path: string,
    private readonly folder: { uidValidity: number; uidNext: number },
  ) {
    this.out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
  }

  async write(m: { raw: Buffer; flags: Flag[]; internalDate: Date; uid: number }): Promise<void> {
    const lf = toLf(m.raw);
    const eol = lf === m.raw && m.raw.includes('\r\n') ? '\r\n' : '\n';
    const s = mboxStatus(m.flags);
    const lines = [`Status: ${s.status}`];
    if (s.xStatus) lines.push(`X-Status: ${s.xStatus}`);
    if (s.xKeywords) lines.push(`X-Keywords: ${s.xKeywords}`);
    if (this.first) lines.push(`X-IMAPbase: ${this.folder.uidValidity} ${this.folder.uidNext}`);
    lines.push(`X-UID: ${m.uid}`);
    this.first = false;
    const fields: HeaderField[] = parseHeaderBlock(lf, 0, lf.length);
    const at = fields.length ? fields[fields.length - 1]!.end : 0;
    const headers = Buffer.from(lines.join(eol) + eol, 'latin1');
    let body: Buffer = Buffer.concat([lf.subarray(0, at), headers, lf.subarray(at)]);
    body = quoteFromLines(body);
    const ending = body.length && body[body.length - 1] === 10 ? eol : eol + eol;
    const chunk = Buffer.concat([Buffer.from(`From MAILER-DAEMON ${asctime(m.internalDate)}${eol}`), body, Buffer.from(ending)]);
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }

  async close(): Promise<void> {
    this.out.end();
    await once(this.out, 'finish');
  }
}
