/**
 * SMTP command parsing (smtp-server's parser with our MAIL/RCPT/DATA/AUTH hooks behind
 * it) on the real port-25 and submission listeners: any sequence of commands, well-formed
 * or mutated, gets replies and leaves the server healthy.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Fixture } from '../../robustness/harness.js';
import { defineTarget } from '../harness.js';
import { chunking, mutated } from '../mutate.js';
import { converse, FUZZ_PASS, FUZZ_USER, sessionFixture } from '../session.js';

const addr = fc.constantFrom('<alice@example.test>', '<>', '<a@b@c>', '<"q u"@example.test>', '<@r1,@r2:x@example.test>', 'alice@example.test', '<x@[127.0.0.1]>', '<postmaster>', '<\u00e9@example.test>', '<' + 'a'.repeat(300) + '@example.test>');
const plain = Buffer.from(`\0${FUZZ_USER}\0${FUZZ_PASS}`).toString('base64');
const command = fc.oneof(
  fc.constantFrom('EHLO fuzz.test', 'HELO x', 'EHLO', 'EHLO [127.0.0.1]', 'RSET', 'NOOP', 'VRFY alice', 'EXPN x', 'HELP', 'STARTTLS', 'QUIT', 'DATA', 'BDAT 5 LAST', 'AUTH PLAIN', `AUTH PLAIN ${plain}`, 'AUTH LOGIN', 'AUTH CRAM-MD5', '*', '=', 'XCLIENT ADDR=1.2.3.4'),
  fc.tuple(addr, fc.constantFrom('', ' SIZE=100', ' SIZE=99999999999', ' BODY=8BITMIME', ' SMTPUTF8', ' RET=HDRS ENVID=x', ' AUTH=<>', ' X=Y')).map(([a, p]) => `MAIL FROM:${a}${p}`),
  fc.tuple(addr, fc.constantFrom('', ' NOTIFY=SUCCESS,FAILURE', ' ORCPT=rfc822;a@b')).map(([a, p]) => `RCPT TO:${a}${p}`),
  fc.constantFrom('Subject: x\r\n\r\nbody\r\n.', '.', '..', 'From: a@b\r\nFrom: c@d\r\n\r\n.', 'a\rb\r\n.', 'x'.repeat(2000)),
);
const script = fc.array(command, { minLength: 1, maxLength: 10 }).map((cs) => Buffer.from(cs.join('\r\n') + '\r\n', 'utf8'));

export default defineTarget<{ bytes: Buffer; cuts: number[]; submission: boolean }, Fixture>({
  name: 'smtp-session',
  input: fc.record({ bytes: mutated(script, ['\r\n', '\n', '\r', ':', '<', '>', ' ', '\0', '\xff', '.\r\n', 'MAIL FROM:', 'RCPT TO:'], 4), cuts: chunking(), submission: fc.boolean() }),
  setup: sessionFixture,
  async teardown(f) {
    await f.close();
  },
  async check({ bytes, cuts, submission }, f) {
    const text = await converse(submission ? f.submissionPort : f.smtpPort, bytes, cuts);
    assert.match(text, /^220 /, 'greeting');
    assert.ok(!/^[^2345]|\r\n[^2345\r\n]/.test(text.replace(/\r\n$/, '')), `every reply line is a reply: ${JSON.stringify(text.slice(0, 300))}`);
    await f.assertHealthy();
  },
  quickRuns: 25,
});
