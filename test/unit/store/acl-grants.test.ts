/**
 * Grants in the keyed state (src/store/acl.ts) over the memory backend: the owner's entry is
 * the truth, the reverse index only a hint; a grant holds only for the account it was made
 * to and only while the mailbox exists.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryStore } from '../../../src/store/memory/index.js';
import { accountIdentifier, dropMailboxGrants, identifierText, grantCount, grantedRights, grantsBy, grantsOn, removeGrant, setGrant, sharedWith } from '../../../src/store/acl.js';

async function setup() {
  const store = createMemoryStore();
  await store.addDomain('example.test');
  const alice = await store.createAccount('alice@example.test', 'x');
  const bob = await store.createAccount('bob@example.test', 'x');
  const carol = await store.createAccount('carol@example.test', 'x');
  await store.createMailbox(alice.id, 'Team');
  const team = (await store.getMailbox(alice.id, 'Team'))!;
  return { store, alice, bob, carol, team };
}

describe('ACL grants in the keyed state', () => {
  it('grants, reads back, lists both ways, and revokes', async () => {
    const { store, alice, bob, carol, team } = await setup();
    assert.equal(await grantedRights(store, alice.id, team.id, bob), '');
    await setGrant(store, alice.id, team.id, accountIdentifier(bob), 'rl');
    await setGrant(store, alice.id, team.id, accountIdentifier(carol), 'lrswi');
    assert.equal(await grantedRights(store, alice.id, team.id, bob), 'lr');
    assert.deepEqual((await grantsOn(store, alice.id, team.id)).map((g) => [identifierText(g.identifier), g.rights]), [
      ['bob@example.test', 'lr'],
      ['carol@example.test', 'lrswi'],
    ]);
    const shared = await sharedWith(store, bob);
    assert.deepEqual(shared.map((m) => [m.owner.address, m.mailbox.name, m.rights]), [['alice@example.test', 'Team', 'lr']]);
    assert.deepEqual((await grantsBy(store, alice.id)).map((x) => [x.mailbox.name, x.grants.length]), [['Team', 2]]);
    assert.deepEqual(await sharedWith(store, alice), []);
    assert.equal(await removeGrant(store, alice.id, team.id, accountIdentifier(bob)), true);
    assert.equal(await grantedRights(store, alice.id, team.id, bob), '');
    assert.deepEqual(await sharedWith(store, bob), []);
    await setGrant(store, alice.id, team.id, accountIdentifier(carol), '');
    assert.deepEqual(await grantsOn(store, alice.id, team.id), []);
  });

  it('a grant follows RENAME and goes with DELETE; a stale reverse entry counts as absent', async () => {
    const { store, alice, bob, team } = await setup();
    await setGrant(store, alice.id, team.id, accountIdentifier(bob), 'lr');
    await store.renameMailbox(alice.id, 'Team', 'Crew');
    assert.deepEqual((await sharedWith(store, bob)).map((m) => m.mailbox.name), ['Crew']);
    await store.deleteMailbox(alice.id, 'Crew');
    // without dropMailboxGrants the hint and the entry remain, but the mailbox is gone
    assert.equal((await store.kvList('acl.shared', null)).length, 1);
    assert.deepEqual(await sharedWith(store, bob), []);
    assert.deepEqual(await store.kvList('acl.shared', null), [], 'the dead hint is cleared on the way');
    await dropMailboxGrants(store, alice.id, team.id);
    assert.equal(await grantedRights(store, alice.id, team.id, bob), '');
    assert.deepEqual(await store.kvList('acl.shared', null), []);
  });

  it('a grant is for the account it was made to: not for a later account with the same id or address', async () => {
    const { store, alice, bob, team } = await setup();
    await setGrant(store, alice.id, team.id, accountIdentifier(bob), 'lr');
    assert.equal(await grantedRights(store, alice.id, team.id, { id: bob.id, address: 'mallory@example.test' }), '');
    await store.deleteAccount(bob.id);
    const bob2 = await store.createAccount('bob@example.test', 'x');
    assert.notEqual(bob2.id, bob.id);
    assert.equal(await grantedRights(store, alice.id, team.id, bob2), '');
    assert.deepEqual(await sharedWith(store, bob2), []);
    assert.deepEqual(await grantsOn(store, alice.id, team.id), []);
    assert.equal(await grantCount(store, alice.id, team.id), 0, 'a removed grantee no longer counts against the limit');
  });

  it('the owner\'s account going takes its grants; the grantee\'s hints then lead nowhere', async () => {
    const { store, alice, bob, team } = await setup();
    await setGrant(store, alice.id, team.id, accountIdentifier(bob), 'lr');
    await store.deleteAccount(alice.id);
    assert.deepEqual(await sharedWith(store, bob), []);
    assert.deepEqual(await store.kvList('acl.shared', null), []);
  });

  it('RFC 4314 §2: anyone and authenticated reach the owner\'s domain only; negative entries take rights away', async () => {
    const { store, alice, bob, carol, team } = await setup();
    await store.addDomain('other.test');
    const eve = await store.createAccount('eve@other.test', 'x');
    await setGrant(store, alice.id, team.id, { kind: 'anyone', negative: false }, 'lr');
    await setGrant(store, alice.id, team.id, { kind: 'authenticated', negative: false }, 'ls');
    await setGrant(store, alice.id, team.id, accountIdentifier(bob, true), 'r');
    await setGrant(store, alice.id, team.id, accountIdentifier(carol), 'w');
    assert.equal(await grantedRights(store, alice.id, team.id, bob), 'ls');
    assert.equal(await grantedRights(store, alice.id, team.id, carol), 'lrsw');
    assert.equal(await grantedRights(store, alice.id, team.id, eve), '', 'another domain is not "anyone" here');
    assert.deepEqual(await sharedWith(store, eve), []);
    assert.deepEqual((await sharedWith(store, carol)).map((m) => [m.mailbox.name, m.rights]), [['Team', 'lrsw']]);
    assert.deepEqual((await grantsOn(store, alice.id, team.id)).map((g) => identifierText(g.identifier)), ['-bob@example.test', 'anyone', 'authenticated', 'carol@example.test']);
    await setGrant(store, alice.id, team.id, { kind: 'anyone', negative: true }, 'l');
    assert.equal(await grantedRights(store, alice.id, team.id, carol), 'rsw');
    // the shared hint goes with the last of anyone/authenticated
    await removeGrant(store, alice.id, team.id, { kind: 'anyone', negative: false });
    assert.equal((await store.kvList('acl.shared', null, { prefix: '@' })).length, 1);
    await removeGrant(store, alice.id, team.id, { kind: 'authenticated', negative: false });
    assert.equal((await store.kvList('acl.shared', null, { prefix: '@' })).length, 0);
    assert.equal(await grantedRights(store, alice.id, team.id, bob), '');
  });

  it('an entry for a name that is no account grants nothing, also to an account made later with that name', async () => {
    const { store, alice, team } = await setup();
    await setGrant(store, alice.id, team.id, { kind: 'unknown', name: 'zed@example.test', negative: false }, 'lr');
    assert.deepEqual((await grantsOn(store, alice.id, team.id)).map((g) => identifierText(g.identifier)), ['zed@example.test']);
    const zed = await store.createAccount('zed@example.test', 'x');
    assert.equal(await grantedRights(store, alice.id, team.id, zed), '');
    assert.deepEqual(await sharedWith(store, zed), []);
    assert.deepEqual(await grantsOn(store, alice.id, team.id), [], 'the inert entry is no longer listed');
  });
});
