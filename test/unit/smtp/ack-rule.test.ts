/**
 * Which SMTP reads are acknowledged at once (src/smtp/greeting.ts commandAnswered): only a
 * single complete command line read in command mode is left to the reply's ACK.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { commandAnswered, type ParserState } from '../../../src/smtp/greeting.js';

const commandMode = (writableLength = 0): ParserState => ({ _dataMode: false, _remainder: '', writableLength });
const b = (s: string) => Buffer.from(s, 'latin1');

describe('SMTP prompt acknowledgements: commandAnswered', () => {
  it('a single complete command line in command mode is answered (no ACK of its own)', () => {
    for (const line of ['EHLO client.example\r\n', 'MAIL FROM:<a@b.example>\r\n', 'RCPT TO:<c@d.example>\r\n', 'QUIT\r\n', 'NOOP\n', '.\r\n']) {
      assert.equal(commandAnswered(b(line), commandMode()), true, `${line}: answered at once`);
      assert.equal(commandAnswered(b(line), commandMode(line.length)), true, `${line}: its handler still running`);
    }
  });

  it('message data, partial and several lines, BDAT lines and unknown state are acknowledged', () => {
    assert.equal(commandAnswered(b('Subject: x\r\n'), { _dataMode: true, _remainder: '', writableLength: 0 }), false, 'a DATA line');
    assert.equal(commandAnswered(b('DATA\r\n'), { _dataMode: true, _remainder: '', writableLength: 0 }), false, 'DATA mode, whatever the bytes');
    assert.equal(commandAnswered(b('body\r\n'), { _dataMode: false, _remainder: '', _lbChunk: {}, writableLength: 0 }), false, 'a BDAT chunk');
    assert.equal(commandAnswered(b('body\r\n'), commandMode(40)), false, 'queued behind a command still being handled (it may be BDAT bytes)');
    assert.equal(commandAnswered(b('MAIL FR'), commandMode()), false, 'a partial line');
    assert.equal(commandAnswered(b('AT 10\r\n'), { _dataMode: false, _remainder: 'BD', writableLength: 0 }), false, 'completing an earlier piece');
    assert.equal(commandAnswered(b('MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\n'), commandMode()), false, 'two lines');
    assert.equal(commandAnswered(b('BDAT 12\r\n'), commandMode()), false, 'BDAT waits for its bytes');
    assert.equal(commandAnswered(b('bdat 12 LAST\r\n'), commandMode()), false, 'bdat in lower case');
    assert.equal(commandAnswered(b('\n'), commandMode()), false, 'too short to be a command');
    assert.equal(commandAnswered(b('QUIT\r\n'), undefined), false, 'no parser');
    assert.equal(commandAnswered(b('QUIT\r\n'), false), false, 'parser gone');
    assert.equal(commandAnswered('QUIT\r\n', commandMode()), false, 'a string chunk (an encoding was set)');
  });
});
