/**
 * Minimal IMAP helpers over the raw client: read every message of a mailbox byte-exact
 * (UID FETCH 1:* BODY.PEEK[]), for the crash and end-to-end tests.
 */
import assert from 'node:assert/strict';
import { RawClient } from '../robustness/raw.js';

/** parses "* n FETCH (... UID u ... BODY[] {len}\r\n<bytes> ...)" responses into uid → bytes */
export function parseFetchBodies(buf: Buffer): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  let pos = 0;
  for (;;) {
    const start = buf.indexOf('* ', pos);
    if (start < 0) break;
    const lf = buf.indexOf('\r\n', start);
    if (lf < 0) break;
    const line = buf.toString('latin1', start, lf);
    const m = /^\* \d+ FETCH \(.*BODY\[\] \{(\d+)\}$/.exec(line);
    if (!m) {
      pos = lf + 2;
      continue;
    }
    const len = Number(m[1]);
    const body = buf.subarray(lf + 2, lf + 2 + len);
    const restEnd = buf.indexOf('\r\n', lf + 2 + len);
    const rest = buf.toString('latin1', lf + 2 + len, restEnd < 0 ? buf.length : restEnd);
    const uid = /UID (\d+)/.exec(line) ?? /UID (\d+)/.exec(rest);
    assert.ok(uid, `FETCH response carries the UID: ${line}`);
    out.set(Number(uid[1]), Buffer.from(body));
    pos = restEnd < 0 ? buf.length : restEnd + 2;
  }
  return out;
}

/** logs in, reads every message of `mailbox`, logs out */
export async function fetchAll(port: number, user: string, pass: string, mailbox = 'INBOX', useTls = false): Promise<Map<number, Buffer>> {
  const c = await RawClient.connect(port, useTls);
  try {
    await c.expect((x) => x.includes('\r\n'), 'IMAP greeting', 10_000);
    c.take();
    c.write(`a LOGIN "${user}" "${pass}"\r\nb EXAMINE "${mailbox}"\r\n`);
    await c.expect((x) => /\r\nb (OK|NO|BAD)/.test(x) || /^b (OK|NO|BAD)/.test(x), 'EXAMINE', 10_000);
    assert.match(c.text, /(^|\n)a OK/, 'LOGIN');
    assert.match(c.text, /(^|\n)b OK/, `EXAMINE ${mailbox}`);
    const exists = Number(/\* (\d+) EXISTS/.exec(c.text)?.[1] ?? 0);
    c.take();
    if (exists === 0) return new Map();
    c.write('c UID FETCH 1:* (UID BODY.PEEK[])\r\n');
    await c.expect((x) => /\r\nc (OK|NO|BAD)[^\r]*\r\n$/.test(x), 'UID FETCH', 20_000);
    assert.match(c.text, /\r\nc OK/);
    return parseFetchBodies(c.buf);
  } finally {
    c.write('z LOGOUT\r\n');
    c.destroy();
  }
}
