import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryStore } from '../../../src/store/memory/index.js';
import { BayesClassifier, messageDigest } from '../../../src/spam/bayes/classifier.js';
import { tokenize } from '../../../src/spam/bayes/tokens.js';

const msg = (subject: string, body: string, extra = '') => Buffer.from(`From: Someone <x@sender.test>\r\nSubject: ${subject}\r\n${extra}\r\n${body}\r\n`);

test('tokenize: subject words marked, sender and domain, decoded body text, each once', () => {
  const t = tokenize(
    Buffer.from('From: A <a@Example.TEST>\r\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?= today\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n' + Buffer.from('Hello hello wörld').toString('base64') + '\r\n'),
  );
  for (const want of ['s:grüße', 's:today', 'a:a@example.test', 'f:example.test', 'hello', 'wörld']) assert.ok(t.includes(want), `${want} in ${t.join(' ')}`);
  assert.equal(t.filter((x) => x === 'hello').length, 1);
});

test('messageDigest ignores fields prepended at delivery', () => {
  const m = msg('s', 'b', 'Message-ID: <1@x>\r\n');
  assert.equal(messageDigest(m), messageDigest(Buffer.concat([Buffer.from('Delivered-To: a@b\r\nX-Spam-Status: No\r\n'), m])));
  assert.notEqual(messageDigest(m), messageDigest(msg('s', 'other', 'Message-ID: <1@x>\r\n')));
});

test('classifier: no verdict until min_learned of each; learns, unlearns, ranks', async () => {
  const store = createMemoryStore();
  const acct = await (async () => {
    await store.addDomain('local.test');
    return store.createAccount('u@local.test', 'x');
  })();
  const b = new BayesClassifier(store, { enabled: true, threshold: 0.9, min_learned: 2 });
  const spam = [msg('win money', 'cheap pills casino bonus'), msg('prize', 'casino jackpot cheap offer')];
  const ham = [msg('meeting', 'agenda for the project meeting'), msg('lunch', 'project lunch agenda tomorrow')];
  assert.equal(await b.verdict(acct.id, tokenize(msg('x', 'casino'))), undefined, 'untrained: no verdict');
  for (const m of spam) assert.equal(await b.learn(acct.id, m, 'spam'), true);
  assert.equal(await b.learn(acct.id, spam[0]!, 'spam'), false, 'the same message twice learns once');
  for (const m of ham) await b.learn(acct.id, m, 'ham');
  const bad = await b.verdict(acct.id, tokenize(msg('casino', 'cheap casino bonus jackpot')));
  const good = await b.verdict(acct.id, tokenize(msg('project', 'meeting agenda for the project')));
  assert.ok(bad?.junk && bad.spamScore! > 0.9, JSON.stringify(bad));
  assert.ok(good && !good.junk && good.spamScore! < 0.1, JSON.stringify(good));
  // relearning a spam message as ham moves its counts over
  assert.equal(await b.learn(acct.id, spam[1]!, 'ham'), true);
  const n = (await store.kvGet('spam.bayes', acct.id, ['#n'])).get('#n')!;
  assert.deepEqual(JSON.parse(n.value), { s: 1, h: 3 });
  const jackpot = (await store.kvGet('spam.bayes', acct.id, ['t:jackpot'])).get('t:jackpot')!;
  assert.equal(jackpot.value, '0 1');
  await store.close();
});
