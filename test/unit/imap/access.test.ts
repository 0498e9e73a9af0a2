/** Mailbox name resolution (src/imap/session/access.ts): which account a name means. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OTHER_USERS_PREFIX, parseName, requireRights, SHARED_PREFIX, sharedName } from '../../../src/imap/session/access.js';
import { ImapError } from '../../../src/imap/session/types.js';

describe('IMAP mailbox names across accounts', () => {
  it('personal names stay personal, including look-alikes of the namespace', () => {
    for (const n of ['INBOX', 'Lists/ietf', 'Other Users2/x', 'Other', 'other users/a@b/INBOX', 'Users/Other Users/x', 'Shared2/x', 'shared/x', 'Lists/Shared/x']) {
      assert.deepEqual(parseName(n), { kind: 'personal', name: n });
    }
  });

  it('"Other Users/<address>/<name>" names another account\'s mailbox', () => {
    assert.equal(OTHER_USERS_PREFIX, 'Other Users/');
    assert.deepEqual(parseName('Other Users/Alice@Example.TEST/Lists/ietf'), { kind: 'other', address: 'alice@example.test', name: 'Lists/ietf' });
    assert.deepEqual(parseName('Other Users/alice@example.test/inbox'), { kind: 'other', address: 'alice@example.test', name: 'INBOX' });
    assert.deepEqual(parseName('Other Users/alice@example.test'), { kind: 'other', address: 'alice@example.test', name: '' });
    assert.deepEqual(parseName('Other Users'), { kind: 'other', address: '', name: '' });
    assert.deepEqual(parseName('Other Users/'), { kind: 'other', address: '', name: '' });
    assert.equal(sharedName('alice@example.test', 'INBOX'), 'Other Users/alice@example.test/INBOX');
    const round = parseName(sharedName('a@b.test', 'x/y'));
    assert.deepEqual(round, { kind: 'other', address: 'a@b.test', name: 'x/y' });
  });

  it('"Shared/<name>" names a mailbox of the domain\'s shared-mailbox owner', () => {
    assert.equal(SHARED_PREFIX, 'Shared/');
    assert.deepEqual(parseName('Shared/Team/2026'), { kind: 'public', name: 'Team/2026' });
    assert.deepEqual(parseName('Shared/inbox'), { kind: 'public', name: 'INBOX' });
    assert.deepEqual(parseName('Shared'), { kind: 'public', name: '' });
    assert.deepEqual(parseName('Shared/'), { kind: 'public', name: '' });
  });

  it('a missing right is NOPERM when the mailbox is visible, else NONEXISTENT worded as for an absent name', () => {
    const check = (rights: string, need: string) => {
      try {
        requireRights({ rights, name: 'Other Users/a@b.test/x' }, need);
        return 'OK';
      } catch (e) {
        assert.ok(e instanceof ImapError);
        return `${e.code?.name} ${e.message}`;
      }
    };
    assert.equal(check('lr', 'r'), 'OK');
    assert.equal(check('lr', 'i'), 'NOPERM Permission denied on "Other Users/a@b.test/x" (the i right is needed)');
    assert.equal(check('r', 'i'), 'NONEXISTENT Mailbox "Other Users/a@b.test/x" does not exist');
    assert.equal(check('', 'r'), 'NONEXISTENT Mailbox "Other Users/a@b.test/x" does not exist');
    assert.equal(check('lrs', 'te'), 'NOPERM Permission denied on "Other Users/a@b.test/x" (the t right is needed)');
  });
});
