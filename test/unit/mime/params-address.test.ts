import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAddressList } from '../../../src/mime/address.js';
import { parseStructured, stripComments } from '../../../src/mime/params.js';

const A = (name: string | null, mailbox: string | null, host: string | null, adl: string | null = null) => ({ name, adl, mailbox, host });

describe('parseStructured (RFC 2045 §5.1, RFC 2183, RFC 2231)', () => {
  it('lower-cases value and names, keeps value case, unquotes', () => {
    assert.deepEqual(parseStructured('TEXT/Plain; CHARSET=UTF-8; Format="flowed"'), { value: 'text/plain', params: [['charset', 'UTF-8'], ['format', 'flowed']] });
  });
  it('quoted specials and escapes', () => {
    assert.deepEqual(parseStructured('attachment; filename="a;b \\"c\\".txt"; size=3').params, [['filename', 'a;b "c".txt'], ['size', '3']]);
  });
  it('comments are removed outside quotes only', () => {
    assert.deepEqual(parseStructured('text/plain (x; y=z) ; charset="(kept)"').params, [['charset', '(kept)']]);
    assert.equal(stripComments('a (b (nested) c) d').replace(/\s+/g, ' '), 'a d');
  });
  it('RFC 2231 §4.1 example: continuations with charset/language, mixed encoded and plain segments', () => {
    const s = parseStructured(`application/x-stuff; title*0*=us-ascii'en'This%20is%20even%20more%20; title*1*=%2A%2A%2Afun%2A%2A%2A%20; title*2="isn't it!"`);
    assert.deepEqual(s.params, [['title', "This is even more ***fun*** isn't it!"]]);
  });
  it('RFC 2231 §4 single encoded value, and segments out of order', () => {
    assert.deepEqual(parseStructured(`x/y; title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A`).params, [['title', 'This is ***fun***']]);
    assert.deepEqual(parseStructured('x/y; name*1="b"; name*0="a"; name*2=c').params, [['name', 'abc']]);
  });
  it('2231 value wins over the plain fallback; latin1 charset decoded', () => {
    assert.deepEqual(parseStructured(`attachment; filename="fallback"; filename*=ISO-8859-1''na%EFve.txt`).params, [['filename', 'naïve.txt']]);
  });
  it('RFC 2047 in name values is decoded, boundary never', () => {
    assert.deepEqual(parseStructured('multipart/mixed; boundary="=?x?q?y?="').params, [['boundary', '=?x?q?y?=']]);
    assert.deepEqual(parseStructured('a/b; name="=?ISO-8859-1?Q?caf=E9?="').params, [['name', 'café']]);
  });
  it('garbage does not throw', () => {
    for (const s of ['', ';', '=;=', 'a/b; =x', 'a/b; x*=%%%', "a/b; x*0*=''%G1", 'a/b; "unterminated', '(((']) parseStructured(s);
  });
});

describe('parseAddressList (RFC 5322 §3.4)', () => {
  it('simple lists and angle addresses', () => {
    assert.deepEqual(parseAddressList('a@b.example, <c@d.example>,,e@f'), [A(null, 'a', 'b.example'), A(null, 'c', 'd.example'), A(null, 'e', 'f')]);
  });
  it('quoted names with commas and escapes, atoms with dots', () => {
    assert.deepEqual(parseAddressList('"Last, First \\"Nick\\"" <x@y>, John Q. Public <jqp@y>'), [A('Last, First "Nick"', 'x', 'y'), A('John Q. Public', 'jqp', 'y')]);
  });
  it('RFC 2047 names, including encoded specials and adjacent words', () => {
    assert.deepEqual(parseAddressList('=?utf-8?Q?Doe=2C_John?= <j@x>, =?utf-8?B?SsO2cmc=?= =?utf-8?Q?_M=C3=BCller?= <m@x>'), [A('Doe, John', 'j', 'x'), A('Jörg Müller', 'm', 'x')]);
  });
  it('comments: used as a name only when there is no phrase', () => {
    assert.deepEqual(parseAddressList('x@y (Comment (nested) Name), Real <r@y> (ignored), <z@y> (Fallback)'), [A('Comment (nested) Name', 'x', 'y'), A('Real', 'r', 'y'), A('Fallback', 'z', 'y')]);
  });
  it('groups, empty groups and unterminated groups', () => {
    assert.deepEqual(parseAddressList('Friends: a@b, "C" <c@d>; , x@y'), [A(null, 'Friends', null), A(null, 'a', 'b'), A('C', 'c', 'd'), A(null, null, null), A(null, 'x', 'y')]);
    assert.deepEqual(parseAddressList('undisclosed-recipients:;'), [A(null, 'undisclosed-recipients', null), A(null, null, null)]);
    assert.deepEqual(parseAddressList('open: a@b'), [A(null, 'open', null), A(null, 'a', 'b'), A(null, null, null)]);
  });
  it('quoted local parts, domain literals, source routes, missing domain or bracket', () => {
    assert.deepEqual(parseAddressList('"john doe"@example.com'), [A(null, '"john doe"', 'example.com')]);
    assert.deepEqual(parseAddressList('user@[192.0.2.1]'), [A(null, 'user', '[192.0.2.1]')]);
    assert.deepEqual(parseAddressList('<@a.example,@b.example:u@c.example>'), [A(null, 'u', 'c.example', '@a.example,@b.example')]);
    assert.deepEqual(parseAddressList('postmaster'), [A(null, 'postmaster', '')]);
    assert.deepEqual(parseAddressList('Name <x@y'), [A('Name', 'x', 'y')]);
  });
  it('garbage does not throw', () => {
    for (const s of ['', ',', '<', '>', ':', ';', '"', '(', '@', '<<>>', 'a:b:c;d;', '=?utf-8?B?!!!?=', '\u0000\uffff']) parseAddressList(s);
    assert.deepEqual(parseAddressList(''), []);
  });
});
