import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { indexMessage } from '../../../src/mime/index.js';
import { splitMbox } from '../../../src/mime/mbox.js';
import { searchableText } from '../../../src/mime/text.js';
import { checkOffsets } from './check.js';

const CORPUS = join(process.cwd(), '..', 'shared', 'corpus', 'sample.mbox');

function corpus(): Buffer | null {
  try {
    return readFileSync(CORPUS);
  } catch {
    return null;
  }
}

describe('splitMbox', () => {
  it('splits mboxrd, drops From_ lines and the separator blank line, unescapes >From', () => {
    const mbox = Buffer.from(
      'From a@b Mon Jan  1 00:00:00 2024\nSubject: one\n\nhello\n>From here\n>>From there\n> From not\n\n' +
        'From c@d Mon Jan  1 00:00:01 2024\nSubject: two\n\nbye\n',
    );
    const msgs = splitMbox(mbox).map((m) => m.toString());
    assert.deepEqual(msgs, ['Subject: one\n\nhello\nFrom here\n>From there\n> From not\n', 'Subject: two\n\nbye\n']);
  });

  it('handles CRLF mbox files and a buffer without From_ lines', () => {
    const msgs = splitMbox(Buffer.from('From x\r\nSubject: a\r\n\r\nb\r\n\r\nFrom y\r\nSubject: c\r\n\r\nd\r\n'));
    assert.deepEqual(msgs.map(String), ['Subject: a\r\n\r\nb\r\n', 'Subject: c\r\n\r\nd\r\n']);
    assert.deepEqual(splitMbox(Buffer.alloc(0)), []);
  });

  it('corpus: 400 messages that all index cleanly', { skip: corpus() ? false : 'corpus not present' }, () => {
    const msgs = splitMbox(corpus()!);
    assert.equal(msgs.length, 400);
    let parts = 0;
    let multipart = 0;
    let rfc822 = 0;
    for (const m of msgs) {
      assert.ok(!m.toString('latin1', 0, 5).startsWith('From '), 'From_ line stripped');
      const ix = indexMessage(m);
      assert.deepEqual(ix.problems, [], `problems in message ${m.toString('latin1', 0, 200)}`);
      parts += checkOffsets(m, ix);
      if (ix.root.parts) multipart++;
      const walk = (p: typeof ix.root): void => {
        if (p.message) rfc822++;
        p.parts?.forEach(walk);
        if (p.message) walk(p.message);
      };
      walk(ix.root);
      assert.ok(ix.root.envelope!.from && ix.root.envelope!.from.length > 0);
      const t = searchableText(m, ix);
      assert.ok(t.header.length > 0);
    }
    assert.ok(multipart > 50, `multipart messages: ${multipart}`);
    assert.ok(rfc822 > 0, 'some forwarded messages');
    assert.ok(parts > 400);
  });
});
