/** The rights model of RFC 4314 §2 (src/store/acl-rights.ts), with the RFC's own examples. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ALL_RIGHTS,
  anyVisibleRight,
  applyChange,
  canWriteMailbox,
  canonical,
  listableRights,
  parseRights,
  parseRightsChange,
  permittedFlags,
  renderRights,
  RightsError,
} from '../../../src/store/acl-rights.js';

describe('ACL rights (RFC 4314 §2)', () => {
  it('parses standard rights into canonical order, once each', () => {
    assert.equal(parseRights('rl'), 'lr');
    assert.equal(parseRights('aetxkpiwsrl'), 'lrswipkxtea');
    assert.equal(parseRights('llrr'), 'lr');
    assert.equal(parseRights(''), '');
    assert.equal(ALL_RIGHTS, 'lrswipkxtea');
  });

  it('§2.1.1: "c" is k+x and "d" is e+t on input', () => {
    assert.equal(parseRights('c'), 'kx');
    assert.equal(parseRights('d'), 'te');
    assert.equal(parseRights('lrswida'), 'lrswitea'); // the RFC's "lrswida" → "lrswideta"
    assert.equal(parseRights('lrswikda'), 'lrswiktea');
  });

  it('§2.1.1: "c" and "d" are reported when any member is held', () => {
    assert.equal(renderRights('lrswitea'), 'lrswitead');
    assert.equal(renderRights('lrswiktea'), 'lrswikteacd');
    assert.equal(renderRights('x'), 'xc');
    assert.equal(renderRights('e'), 'ed');
    assert.equal(renderRights('lr'), 'lr');
    assert.equal(renderRights(ALL_RIGHTS), 'lrswipkxteacd');
  });

  it('§3.1: unknown and upper-case rights are errors, never ignored', () => {
    assert.throws(() => parseRights('lrQswicda'), (e: unknown) => e instanceof RightsError && e.message === 'Uppercase rights are not allowed');
    assert.throws(() => parseRights('lrqswicda'), (e: unknown) => e instanceof RightsError && e.message === 'The q right is not supported');
    assert.throws(() => parseRights('lr1'), RightsError);
    assert.throws(() => parseRights('l r'), RightsError);
    assert.throws(() => parseRights('+lr'), RightsError); // a sign only at the start of SETACL's argument
  });

  it('§3.1: "+" adds, "-" removes, no sign replaces (the SETACL +cda example)', () => {
    assert.deepEqual(parseRightsChange('+cda'), { mode: 'add', rights: 'kxtea' });
    assert.deepEqual(parseRightsChange('-w'), { mode: 'remove', rights: 'w' });
    assert.deepEqual(parseRightsChange('lr'), { mode: 'replace', rights: 'lr' });
    assert.equal(renderRights(applyChange('lrswi', parseRightsChange('+cda'))), 'lrswikxteacd');
    assert.equal(applyChange('lrswikxtea', parseRightsChange('-wd')), 'lrsikxa');
    assert.equal(applyChange('lrswi', parseRightsChange('')), '');
    assert.equal(applyChange('lr', parseRightsChange('-')), 'lr');
  });

  it('§3.7: LISTRIGHTS for the owner and for anyone else', () => {
    assert.deepEqual(listableRights(true), { required: 'lrswipkxteacd', optional: [] });
    assert.deepEqual(listableRights(false), { required: '', optional: ['l', 'r', 's', 'w', 'i', 'p', 'k', 'x', 't', 'e', 'a', 'c', 'd'] });
  });

  it('§4 and §5.2: flags by right, MYRIGHTS visibility, READ-ONLY', () => {
    const flags = ['\\Seen', '\\Deleted', '\\Flagged', '$Work', '\\seen'];
    assert.deepEqual(permittedFlags('lr', flags), []);
    assert.deepEqual(permittedFlags('lrs', flags), ['\\Seen', '\\seen']);
    assert.deepEqual(permittedFlags('lrt', flags), ['\\Deleted']);
    assert.deepEqual(permittedFlags('lrw', flags), ['\\Flagged', '$Work']);
    assert.equal(anyVisibleRight('s'), false);
    assert.equal(anyVisibleRight('i'), true);
    assert.equal(canWriteMailbox('lr'), false);
    assert.equal(canWriteMailbox('lrp'), false);
    for (const r of 'iestw') assert.equal(canWriteMailbox(`lr${r}`), true);
    assert.equal(canonical('axl'), 'lxa');
  });
});
