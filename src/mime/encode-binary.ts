/**
 * Binary content arriving in APPEND literal8 (RFC 3516 §4.4; RFC 9051 §6.3.12): leaf parts
 * whose Content-Transfer-Encoding is "binary", or whose body holds NUL bytes, are stored
 * base64-encoded with their header changed to say so, as Dovecot stores them. BODY[...]
 * then never carries NUL (IMAP literals cannot), BODYSTRUCTURE names an encoding every
 * client can decode, and BINARY[...] still returns the original bytes. Every other byte
 * of the message is kept exactly.
 */
import { indexMessage } from './index.js';
import type { MimePart } from './types.js';

const CTE_FIELD = /^content-transfer-encoding[ \t]*:[^\n]*\n?(?:[ \t][^\n]*\n?)*/im;

function leaves(p: MimePart, out: MimePart[]): void {
  if (p.parts) for (const c of p.parts) leaves(c, out);
  else if (p.message) leaves(p.message, out);
  else out.push(p);
}

function needsEncoding(raw: Buffer, p: MimePart): boolean {
  if (p.bodyEnd <= p.bodyStart) return false;
  if (p.encoding === 'BINARY') return true;
  if (p.encoding === 'BASE64' || p.encoding === 'QUOTED-PRINTABLE') return false;
  return raw.subarray(p.bodyStart, p.bodyEnd).includes(0);
}

function base64Lines(body: Buffer): string {
  const b64 = body.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  return lines.join('\r\n');
}

/** the message with binary leaf parts re-encoded as base64; the same Buffer when none needs it */
export function encodeBinaryParts(raw: Buffer): Buffer {
  const parts: MimePart[] = [];
  leaves(indexMessage(raw).root, parts);
  const todo = parts.filter((p) => needsEncoding(raw, p)).sort((a, b) => b.headerStart - a.headerStart);
  if (!todo.length) return raw;
  let out = raw;
  for (const p of todo) {
    const header = out.subarray(p.headerStart, p.bodyStart).toString('latin1');
    const eol = header.includes('\r\n') || !header.includes('\n') ? '\r\n' : '\n';
    const field = `Content-Transfer-Encoding: base64${eol}`;
    const m = CTE_FIELD.exec(header);
    const newHeader = m ? header.slice(0, m.index) + field + header.slice(m.index + m[0].length) : field + header;
    out = Buffer.concat([
      out.subarray(0, p.headerStart),
      Buffer.from(newHeader, 'latin1'),
      Buffer.from(base64Lines(out.subarray(p.bodyStart, p.bodyEnd)), 'latin1'),
      out.subarray(p.bodyEnd),
    ]);
  }
  return out;
}
