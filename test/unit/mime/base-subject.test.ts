/** RFC 5256 §2.1 base subject: each rule of the algorithm, and the reply/forward marker of §3. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseSubject, casemap } from '../../../src/mime/base-subject.js';

const cases: Array<[input: string | null, base: string, replyOrForward: boolean]> = [
  ['Hello', 'HELLO', false],
  [null, '', false],
  ['  Hello \t  world\r\n ', 'HELLO WORLD', false], // (1) WSP runs → one SP; (2) trailing WSP
  ['Re: Hello', 'HELLO', true], // (3) subj-refwd
  ['RE: re: Fwd: FW: hello', 'HELLO', true],
  ['Re [2]: hello', 'HELLO', true], // subj-refwd with a blob before the colon
  ['Re[2]:hello', 'HELLO', true],
  ['hello (fwd)', 'HELLO', true], // (2) subj-trailer
  ['hello (fwd) (FWD)  ', 'HELLO', true],
  ['[list] Re: [list] hello', 'HELLO', true], // (3) *subj-blob subj-refwd, then (4) blob
  ['[list] hello', 'HELLO', false], // (4) a blob with something after it
  ['[only a blob]', '[ONLY A BLOB]', false], // (4) not removed when nothing would be left
  ['[Fwd: Re: hello]', 'HELLO', true], // (6) subj-fwd, then again from (2)
  ['[fwd: [fwd: hello]]', 'HELLO', true],
  ['[Fwd: hello] tail', 'TAIL', false], // a blob, not subj-fwd (it does not end with "]")
  ['Re:', '', true],
  ['Reply: hello', 'REPLY: HELLO', false], // not a subj-refwd
  ['Fwd hello', 'FWD HELLO', false], // no colon
  ['Re: (fwd)', '', true],
];

for (const [input, base, rf] of cases) {
  test(`base subject of ${JSON.stringify(input)}`, () => {
    assert.deepEqual(baseSubject(input), { base, replyOrForward: rf });
  });
}

test('i;unicode-casemap folds case and compatibility forms (RFC 5051)', () => {
  assert.equal(casemap('Straße'), casemap('STRASSE'));
  assert.equal(casemap('ﬁle'), casemap('FILE'));
  assert.equal(casemap('é'), casemap('É'));
  assert.notEqual(casemap('a'), casemap('b'));
});
