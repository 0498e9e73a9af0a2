/** Interop: python3 imaplib's sort() and thread() (RFC 5256) against threaded mail. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { has, run } from '../run.js';
import { PASS, seed, startServer, USER } from '../../protocol/imap/harness.js';

const SCRIPT = String.raw`
import imaplib, json, sys
M = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]), timeout=10)
M.login(sys.argv[2], sys.argv[3])
def ok(r, what):
    typ, data = r
    assert typ == 'OK', f'{what}: {typ} {data}'
    return data[0].decode()
out = {'caps': ok(M.capability(), 'CAPABILITY')}
M.select('INBOX')
out['sort_subject'] = ok(M.sort('(SUBJECT)', 'UTF-8', 'ALL'), 'SORT')
out['sort_rev_date'] = ok(M.sort('(REVERSE DATE)', 'UTF-8', 'ALL'), 'SORT REVERSE DATE')
out['uid_sort_from'] = ok(M.uid('SORT', '(FROM)', 'UTF-8', 'ALL'), 'UID SORT')
out['thread_refs'] = ok(M.thread('REFERENCES', 'UTF-8', 'ALL'), 'THREAD REFERENCES')
out['thread_subj'] = ok(M.thread('ORDEREDSUBJECT', 'UTF-8', 'ALL'), 'THREAD ORDEREDSUBJECT')
out['uid_thread'] = ok(M.uid('THREAD', 'REFERENCES', 'UTF-8', 'SUBJECT', 'budget'), 'UID THREAD')
M.logout()
print(json.dumps(out))
`;

function mail(n: number, subject: string, day: number, from: string, extra = ''): Buffer {
  return Buffer.from(
    `From: ${from}\r\nSubject: ${subject}\r\nDate: ${day} Feb 2024 10:00:00 +0000\r\nMessage-ID: <m${n}@example.test>\r\n${extra}\r\nbody\r\n`,
  );
}

test('python3 imaplib sort() and thread()', { skip: !has('python3') && 'python3 not installed' }, async () => {
  const server = await startServer();
  try {
    await seed(server, 'INBOX', [
      mail(1, 'Lunch', 3, 'carol@example.test'),
      mail(2, 'Re: Lunch', 4, 'bob@example.test', 'References: <m1@example.test>\r\n'),
      mail(3, 'Budget', 1, 'alice@example.test'),
      mail(4, 'Re: Budget', 2, 'dave@example.test', 'In-Reply-To: <m3@example.test>\r\n'),
    ]);
    const r = await run('python3', ['-c', SCRIPT, String(server.port), USER, PASS]);
    assert.equal(r.code, 0, `imaplib failed:\n${r.stderr}\n${r.stdout}`);
    const out = JSON.parse(r.stdout);
    assert.match(out.caps, /\bSORT\b.*THREAD=REFERENCES/);
    assert.equal(out.sort_subject, '3 4 1 2');
    assert.equal(out.sort_rev_date, '2 1 4 3');
    assert.equal(out.uid_sort_from, '3 2 1 4');
    assert.equal(out.thread_refs, '(3 4)(1 2)');
    assert.equal(out.thread_subj, '(3 4)(1 2)');
    assert.equal(out.uid_thread, '(3 4)');
  } finally {
    await server.close();
  }
});
