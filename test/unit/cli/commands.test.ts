import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { verify } from '@node-rs/argon2';
import { makeCli } from './harness.js';
import { dkimSelector } from '../../../src/smtp/core/dkim.js';

test('domain add / list / remove, with DKIM key and clear errors', async () => {
  const h = await makeCli();
  try {
    let r = await h.cli(['domain', 'add', 'Example.TEST']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /added domain example\.test \(DKIM selector lb\d{6}\)/);
    assert.match(r.stdout, /letterbox dns example\.test/);
    const d = await h.store.getDomain('example.test');
    assert.equal(d?.dkimSelector, dkimSelector());
    assert.match(d?.dkimPrivateKey ?? '', /^-----BEGIN PRIVATE KEY-----/);

    r = await h.cli(['domain', 'add', 'example.test']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'letterbox: domain example.test already exists\n');

    r = await h.cli(['domain', 'add', 'bad..test']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /invalid domain "bad\.\.test"/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');

    r = await h.cli(['domain', 'add', '--no-dkim', 'other.test']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await h.store.getDomain('other.test'))?.dkimSelector, null);

    r = await h.cli(['domain', 'list']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^DOMAIN\s+USERS\s+ALIASES\s+DKIM SELECTOR\n/);
    assert.match(r.stdout, /example\.test\s+0\s+0\s+lb\d{6}/);
    assert.match(r.stdout, /other\.test\s+0\s+0\s+-/);

    r = await h.cli(['domain', 'remove', 'nowhere.test']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown domain nowhere\.test/);

    r = await h.cli(['domain', 'remove', 'other.test']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await h.store.getDomain('other.test'), null);
  } finally {
    await h.close();
  }
});

test('user add reads the password from standard input and hashes it with argon2id', async () => {
  const h = await makeCli();
  try {
    await h.cli(['domain', 'add', '--no-dkim', 'example.test']);
    let r = await h.cli(['user', 'add', 'Alice@Example.test', '--quota', '2G'], 's3cret pass\nignored second line\n');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /added user alice@example\.test \(quota 2 GiB\)/);
    const a = await h.store.getAccount('alice@example.test');
    assert.ok(a);
    assert.match(a.passwordHash, /^\$argon2id\$/);
    assert.ok(await verify(a.passwordHash, 's3cret pass'));
    assert.equal(a.quotaBytes, 2 * 1024 ** 3);
    assert.doesNotMatch(r.stdout + r.stderr, /s3cret/);

    r = await h.cli(['user', 'add', 'alice@example.test'], 'x\n');
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'letterbox: user alice@example.test already exists\n');

    r = await h.cli(['user', 'add', 'bob@unknown.test'], 'x\n');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown domain unknown\.test; add it first: letterbox domain add unknown\.test/);

    r = await h.cli(['user', 'add', 'not an address'], 'x\n');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /invalid address "not an address"/);

    r = await h.cli(['user', 'add', 'carol@example.test'], '');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no password on standard input/);
    assert.equal(await h.store.getAccount('carol@example.test'), null);

    r = await h.cli(['user', 'add', 'carol@example.test', 'secret-on-argv'], 'x\n');
    assert.equal(r.code, 1, 'a password on the command line is refused');
    assert.equal(await h.store.getAccount('carol@example.test'), null);

    const pwFile = join(h.dir, 'pw');
    writeFileSync(pwFile, 'from-file\n');
    r = await h.cli(['user', 'add', 'carol@example.test', '--password-file', pwFile]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(await verify((await h.store.getAccount('carol@example.test'))!.passwordHash, 'from-file'));
  } finally {
    await h.close();
  }
});

test('user passwd, quota, pop3-policy, list, remove', async () => {
  const h = await makeCli('[pop3]\ndelete_policy = "trash"\n');
  try {
    await h.cli(['domain', 'add', '--no-dkim', 'example.test']);
    assert.equal((await h.cli(['user', 'add', 'alice@example.test'], 'one\n')).code, 0);

    let r = await h.cli(['user', 'passwd', 'alice@example.test'], 'two\r\n');
    assert.equal(r.code, 0, r.stderr);
    const a = (await h.store.getAccount('alice@example.test'))!;
    assert.ok(await verify(a.passwordHash, 'two'));
    assert.equal(await verify(a.passwordHash, 'one'), false);

    r = await h.cli(['user', 'passwd', 'nobody@example.test'], 'x\n');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown user nobody@example\.test/);

    r = await h.cli(['user', 'quota', 'alice@example.test', '500M']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await h.store.getAccount('alice@example.test'))!.quotaBytes, 500 * 1024 ** 2);
    r = await h.cli(['user', 'quota', 'alice@example.test', 'huge']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /invalid size "huge"/);

    r = await h.cli(['user', 'list']);
    assert.match(r.stdout, /alice@example\.test\s+0 B\s+500 MiB\s+default \(trash\)/);

    r = await h.cli(['user', 'pop3-policy', 'alice@example.test', 'hide']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await h.store.getAccount('alice@example.test'))!.pop3Policy, 'hide');
    r = await h.cli(['user', 'pop3-policy', 'alice@example.test', 'default']);
    assert.equal((await h.store.getAccount('alice@example.test'))!.pop3Policy, null);
    r = await h.cli(['user', 'pop3-policy', 'alice@example.test', 'shred']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown POP3 policy "shred"/);

    r = await h.cli(['user', 'list', 'nowhere.test']);
    assert.equal(r.code, 1);

    r = await h.cli(['user', 'remove', 'alice@example.test']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await h.store.getAccount('alice@example.test'), null);
    r = await h.cli(['user', 'remove', 'alice@example.test']);
    assert.equal(r.code, 1);
  } finally {
    await h.close();
  }
});

test('CLI output never passes terminal control characters from mail or remote replies (issue 9 item 8)', async () => {
  const h = await makeCli();
  try {
    await h.cli(['domain', 'add', '--no-dkim', 'example.test']);
    await h.cli(['user', 'add', 'alice@example.test'], 'pw\n');
    const a = (await h.store.getAccount('alice@example.test'))!;
    const inbox = (await h.store.getMailbox(a.id, 'INBOX'))!;
    // an encoded word decodes to ESC ] 0 ; (set the window title), BEL, ESC [ 2 J (clear the screen)
    const raw = Buffer.from('From: x@example.test\r\nSubject: =?utf-8?q?evil=1B]0;pwned=07=1B[2J?= tail\r\n\r\nbody\r\n');
    const { uid } = await h.store.append(a.id, inbox.id, { raw });
    await h.store.pop3Delete(a.id, [uid], 'retain', 30);
    const item = await h.store.enqueue({ from: 'alice@example.test', recipients: ['bob@far.test'], raw, accountId: a.id });
    await h.store.updateQueueItem(item.id, { lastError: 'bob@far.test: 451 \u001b[31mred\u001b[0m\rfake line' });
    for (const argv of [['user', 'pop3-restore', 'alice@example.test', '--list'], ['queue', 'list']]) {
      const r = await h.cli(argv);
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stdout + r.stderr, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/, `${argv.join(' ')} printed a control character: ${JSON.stringify(r.stdout)}`);
    }
    assert.match((await h.cli(['user', 'pop3-restore', 'alice@example.test', '--list'])).stdout, /evil\?\]0;pwned\?\?\[2J tail/);
  } finally {
    await h.close();
  }
});

test('user pop3-restore lists and restores retained messages', async () => {
  const h = await makeCli();
  try {
    await h.cli(['domain', 'add', '--no-dkim', 'example.test']);
    await h.cli(['user', 'add', 'alice@example.test'], 'pw\n');
    const a = (await h.store.getAccount('alice@example.test'))!;
    const inbox = (await h.store.getMailbox(a.id, 'INBOX'))!;
    const raw = Buffer.from('From: x@example.test\r\nSubject: keep me\r\n\r\nbody\r\n');
    const { uid } = await h.store.append(a.id, inbox.id, { raw });
    await h.store.pop3Delete(a.id, [uid], 'retain', 30);

    let r = await h.cli(['user', 'pop3-restore', 'alice@example.test', '--list']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /keep me/);
    const [retained] = await h.store.listRetained(a.id);

    r = await h.cli(['user', 'pop3-restore', 'alice@example.test', 'no-such-id']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /not retained/);

    r = await h.cli(['user', 'pop3-restore', 'alice@example.test', retained!.guid]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /restored 1 message to the INBOX/);
    assert.equal((await h.store.pop3List(a.id)).length, 1);
    r = await h.cli(['user', 'pop3-restore', 'alice@example.test', '--list']);
    assert.match(r.stdout, /no retained messages/);
  } finally {
    await h.close();
  }
});

test('alias add / list / remove, including a catch-all', async () => {
  const h = await makeCli();
  try {
    await h.cli(['domain', 'add', '--no-dkim', 'example.test']);
    await h.cli(['user', 'add', 'alice@example.test'], 'pw\n');

    let r = await h.cli(['alias', 'add', 'Info@example.test', 'alice@example.test', 'ext@elsewhere.test']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /added alias info@example\.test -> alice@example\.test, ext@elsewhere\.test/);
    r = await h.cli(['alias', 'add', '@example.test', 'alice@example.test']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /added catch-all @example\.test/);

    const resolved = await h.store.resolveRecipient('random@example.test');
    assert.deepEqual(resolved?.accounts.map((x) => x.address), ['alice@example.test']);

    r = await h.cli(['alias', 'add', 'info@example.test', 'alice@example.test']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /alias info@example\.test already exists/);
    r = await h.cli(['alias', 'add', 'alice@example.test', 'ext@elsewhere.test']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /is a user/);
    r = await h.cli(['alias', 'add', 'x@unknown.test', 'alice@example.test']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown domain unknown\.test/);
    r = await h.cli(['alias', 'add', 'y@example.test', 'not-an-address']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /invalid destination "not-an-address"/);

    r = await h.cli(['alias', 'list']);
    assert.match(r.stdout, /@example\.test\s+alice@example\.test/);
    assert.match(r.stdout, /info@example\.test\s+alice@example\.test, ext@elsewhere\.test/);

    r = await h.cli(['alias', 'remove', '@example.test']);
    assert.equal(r.code, 0, r.stderr);
    r = await h.cli(['alias', 'remove', '@example.test']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown alias @example\.test/);

    r = await h.cli(['domain', 'remove', 'example.test']);
    assert.equal(r.code, 1, 'a domain in use cannot be removed');
    assert.match(r.stderr, /^letterbox: /);
  } finally {
    await h.close();
  }
});

test('config check: summary and exit 0, or the error and exit 1', async () => {
  const h = await makeCli('hostname = "mx.example.test"\n[listeners.imap]\nport = 1143\n');
  try {
    let r = await h.cli(['config', 'check']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /hostname:\s+mx\.example\.test/);
    assert.match(r.stdout, /imap\s+0\.0\.0\.0:1143\s+STARTTLS/);
    assert.match(r.stdout, /configuration OK/);

    writeFileSync(h.configFile, '[listeners.imap]\nport = "x"\n');
    r = await h.cli(['config', 'check']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `${h.configFile}: listeners.imap.port: expected a number, got the string "x"\n`);

    writeFileSync(h.configFile, '[tls]\ncert = "missing.pem"\nkey = "missing.key"\n');
    r = await h.cli(['config', 'check']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /tls\.cert: cannot read .*missing\.pem: file not found/);
  } finally {
    await h.close();
  }
});

test('unknown commands and missing arguments exit 1 with usage help', async () => {
  const h = await makeCli();
  try {
    let r = await h.cli(['frobnicate']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown command 'frobnicate'/);
    r = await h.cli(['user', 'add']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /missing required argument 'address'/);
    r = await h.cli(['--help']);
    assert.equal(r.code, 0);
    for (const group of ['serve', 'domain', 'user', 'alias', 'config', 'dns', 'queue', 'backup']) {
      assert.match(r.stdout, new RegExp(`^  ${group}\\b`, 'm'), `${group} is listed in --help`);
    }
    r = await h.cli(['--version']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^\d+\.\d+\.\d+/);
  } finally {
    await h.close();
  }
});

test('mailbox create-shared / delete-shared: the domain\'s shared mailboxes, owned by a no-login shared@<domain>', async () => {
  const h = await makeCli();
  try {
    await h.cli(['domain', 'add', '--no-dkim', 'example.test']);
    await h.cli(['user', 'add', 'alice@example.test'], 'pw\n');
    let r = await h.cli(['mailbox', 'create-shared', 'example.test', 'Support', '--anyone', 'lrsp']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /created shared mailbox Shared\/Support of example\.test \(anyone: "lrsp"\)/);
    const { isSharedOwner } = await import('../../../src/store/shared-owner.js');
    const { grantedRights } = await import('../../../src/store/acl.js');
    const owner = (await h.store.getAccount('shared@example.test'))!;
    assert.ok(isSharedOwner(owner));
    assert.deepEqual((await h.store.listMailboxes(owner.id)).map((m) => m.name).sort(), ['INBOX', 'Support']);
    const support = (await h.store.getMailbox(owner.id, 'Support'))!;
    const alice = (await h.store.getAccount('alice@example.test'))!;
    assert.equal(await grantedRights(h.store, owner.id, support.id, alice), 'lrsp');
    r = await h.cli(['mailbox', 'create-shared', 'example.test', 'Support']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /already exists/);
    r = await h.cli(['mailbox', 'create-shared', 'example.test', 'Private']);
    assert.match(r.stdout, /no one has rights on it yet/);
    r = await h.cli(['mailbox', 'share', 'shared@example.test', 'Private', 'alice@example.test', 'lr']);
    assert.match(r.stdout, /\(IMAP: Shared\/Private\)/);
    r = await h.cli(['user', 'list']);
    assert.match(r.stdout, /shared@example\.test \(shared mailboxes, no login\)/);
    r = await h.cli(['user', 'passwd', 'shared@example.test'], 'pw\npw\n');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot log in/);
    r = await h.cli(['mailbox', 'delete-shared', 'example.test', 'Support']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await h.store.getMailbox(owner.id, 'Support'), null);
    assert.equal(await grantedRights(h.store, owner.id, support.id, alice), '');
    r = await h.cli(['mailbox', 'create-shared', 'nowhere.test', 'X']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown domain nowhere\.test/);
    // a user account at the address is never taken for the owner
    await h.cli(['domain', 'add', '--no-dkim', 'taken.test']);
    await h.cli(['user', 'add', 'shared@taken.test'], 'pw\n');
    r = await h.cli(['mailbox', 'create-shared', 'taken.test', 'X']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /shared@taken\.test is a user account/);
  } finally {
    await h.close();
  }
});

test('mailbox share / shares / revoke: the grants IMAP ACL uses', async () => {
  const h = await makeCli();
  try {
    await h.cli(['domain', 'add', '--no-dkim', 'example.test']);
    await h.cli(['user', 'add', 'alice@example.test'], 'pw\n');
    await h.cli(['user', 'add', 'bob@example.test'], 'pw\n');
    const alice = (await h.store.getAccount('alice@example.test'))!;
    const bob = (await h.store.getAccount('bob@example.test'))!;
    await h.store.createMailbox(alice.id, 'Team');

    let r = await h.cli(['mailbox', 'share', 'alice@example.test', 'Team', 'Bob@example.test', 'lrs']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /bob@example\.test has "lrs" on alice@example\.test Team \(IMAP: Other Users\/alice@example\.test\/Team\)/);
    r = await h.cli(['mailbox', 'share', 'alice@example.test', 'Team', 'bob@example.test', '+d']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /"lrsted"/);
    const { grantedRights } = await import('../../../src/store/acl.js');
    const team = (await h.store.getMailbox(alice.id, 'Team'))!;
    assert.equal(await grantedRights(h.store, alice.id, team.id, bob), 'lrste');

    r = await h.cli(['mailbox', 'shares', 'alice@example.test']);
    assert.match(r.stdout, /alice@example\.test\s+Team\s+bob@example\.test\s+lrsted/);
    r = await h.cli(['mailbox', 'shares', 'bob@example.test']);
    assert.match(r.stdout, /alice@example\.test\s+Team\s+bob@example\.test\s+lrsted/);

    r = await h.cli(['mailbox', 'share', 'alice@example.test', 'Team', 'bob@example.test', 'lrQ']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /invalid rights "lrQ": Uppercase rights are not allowed/);
    r = await h.cli(['mailbox', 'share', 'alice@example.test', 'Nope', 'bob@example.test', 'lr']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /alice@example\.test has no mailbox "Nope"/);
    r = await h.cli(['mailbox', 'share', 'alice@example.test', 'Team', 'alice@example.test', 'lr']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /owns the mailbox/);
    r = await h.cli(['mailbox', 'share', 'alice@example.test', 'Team', 'nobody@example.test', 'lr']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown user nobody@example\.test/);

    r = await h.cli(['mailbox', 'revoke', 'alice@example.test', 'Team', 'bob@example.test']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await grantedRights(h.store, alice.id, team.id, bob), '');
    r = await h.cli(['mailbox', 'revoke', 'alice@example.test', 'Team', 'bob@example.test']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /had no entry/);
    r = await h.cli(['mailbox', 'shares', 'alice@example.test']);
    assert.match(r.stdout, /shares no mailboxes/);

    // anyone (the owner's domain) and a negative entry for bob
    r = await h.cli(['mailbox', 'share', 'alice@example.test', 'Team', 'anyone', 'lr']);
    assert.equal(r.code, 0, r.stderr);
    r = await h.cli(['mailbox', 'share', '--', 'alice@example.test', 'Team', '-bob@example.test', 'r']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await grantedRights(h.store, alice.id, team.id, bob), 'l');
    r = await h.cli(['mailbox', 'shares', 'alice@example.test']);
    assert.match(r.stdout, /Team\s+-bob@example\.test\s+r\n/);
    assert.match(r.stdout, /Team\s+anyone\s+lr\n/);
    r = await h.cli(['mailbox', 'revoke', '--', 'alice@example.test', 'Team', '-bob@example.test']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await grantedRights(h.store, alice.id, team.id, bob), 'lr');
  } finally {
    await h.close();
  }
});
