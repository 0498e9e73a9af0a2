import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeVerdicts, spamHeaders, stripSpamHeaders } from '../../../src/spam/verdict.js';
import { parseResult, rspamdOutcome } from '../../../src/spam/rspamd.js';
import { dmarcAction, dmarcDecision, trustedForwarders } from '../../../src/smtp/inbound/dmarc.js';
import { headerEnd } from '../../../src/smtp/core/headers.js';

test('spamHeaders: SpamAssassin layout, flag only when junk', () => {
  assert.equal(
    spamHeaders({ junk: true, spamScore: 7.256, spamThreshold: 5, reasons: ['rspamd', 'GTUBE'] }),
    'X-Spam-Flag: YES\r\nX-Spam-Status: Yes, score=7.26 required=5.00 tests=rspamd,GTUBE\r\nX-Spam-Score: 7.26\r\n',
  );
  assert.equal(spamHeaders({ junk: false }), 'X-Spam-Status: No\r\n');
});

test('mergeVerdicts: junk if any says so; the score furthest past its own threshold', () => {
  const m = mergeVerdicts({ junk: false, spamScore: 3, spamThreshold: 15, reasons: ['rspamd'] }, { junk: true, spamScore: 0.99, spamThreshold: 0.9, reasons: ['bayes'] });
  assert.deepEqual(m, { junk: true, spamScore: 0.99, spamThreshold: 0.9, reasons: ['rspamd', 'bayes'], subject: undefined });
  assert.equal(mergeVerdicts(undefined, null), undefined);
});

test('stripSpamHeaders removes forged X-Spam fields (folded too) and rewrites Subject', () => {
  const raw = Buffer.from('X-Spam-Flag: NO\r\nSubject: hi\r\nX-Spam-Status: No,\r\n\tfolded\r\nTo: a@b\r\n\r\nX-Spam-Flag: body stays\r\n');
  const out = stripSpamHeaders(raw, headerEnd(raw), '[SPAM] hi').toString();
  assert.equal(out, 'Subject: [SPAM] hi\r\nTo: a@b\r\n\r\nX-Spam-Flag: body stays\r\n');
  const clean = Buffer.from('Subject: x\r\n\r\nbody');
  assert.equal(stripSpamHeaders(clean, headerEnd(clean)), clean, 'untouched input returned as is');
});

test('rspamd answers map to letterbox actions', () => {
  const r = (action: string) => parseResult({ action, score: 9, required_score: 15, symbols: { B: {}, A: {} }, subject: 'S' });
  assert.equal(rspamdOutcome(r('reject')).kind, 'reject');
  assert.equal(rspamdOutcome(r('soft reject')).kind, 'defer');
  assert.equal(rspamdOutcome(r('greylist')).kind, 'defer');
  const add = rspamdOutcome(r('add header'));
  assert.ok(add.kind === 'deliver' && add.verdict.junk && add.verdict.subject === undefined);
  assert.deepEqual(add.kind === 'deliver' && add.verdict.reasons, ['rspamd', 'A', 'B']);
  const rw = rspamdOutcome(r('rewrite subject'));
  assert.ok(rw.kind === 'deliver' && rw.verdict.junk && rw.verdict.subject === 'S');
  const none = rspamdOutcome(r('no action'));
  assert.ok(none.kind === 'deliver' && !none.verdict.junk);
  assert.throws(() => parseResult({ action: 'explode' }), /unknown action/);
  assert.throws(() => parseResult(null), /not a JSON object/);
});

test('dmarcAction: policy, pct, trusted ARC forwarders, enforce = false', () => {
  const cfg = { enforce: true, trusted_forwarders: ['lists.example.org'] };
  const fail = (policy: 'reject' | 'quarantine' | 'none', pct?: number) => ({ dmarc: { result: 'fail', policy, pct, domain: 'x.test' }, arc: null });
  assert.equal(dmarcAction(fail('reject'), cfg).kind, 'reject');
  assert.equal(dmarcAction(fail('quarantine'), cfg).kind, 'quarantine');
  assert.equal(dmarcAction(fail('none'), cfg).kind, 'accept');
  assert.equal(dmarcAction({ dmarc: { result: 'pass', policy: 'reject' }, arc: null }, cfg).kind, 'accept');
  // pct=30: a draw below 30 applies the policy, one above steps down a level
  assert.equal(dmarcAction(fail('reject', 30), cfg, () => 0.1).kind, 'reject');
  assert.equal(dmarcAction(fail('reject', 30), cfg, () => 0.5).kind, 'quarantine');
  assert.equal(dmarcAction(fail('quarantine', 30), cfg, () => 0.5).kind, 'accept');
  const sealed = (result: string, sealer: string) => ({ ...fail('reject'), arc: { result, sealer } });
  assert.equal(dmarcAction(sealed('pass', 'lists.example.org'), cfg).kind, 'accept');
  assert.equal(dmarcAction(sealed('pass', 'eu.lists.example.org'), cfg).kind, 'accept');
  assert.equal(dmarcAction(sealed('fail', 'lists.example.org'), cfg).kind, 'reject', 'a broken chain vouches for nothing');
  assert.equal(dmarcAction(sealed('pass', 'evil.test'), cfg).kind, 'reject');
  assert.equal(dmarcAction(fail('reject'), { ...cfg, enforce: false }).kind, 'accept');
});

test('trusted forwarders per local domain: its own list replaces the server-wide one', () => {
  const cfg = { enforce: true, trusted_forwarders: ['lists.example.org'], domains: { 'strict.test': { trusted_forwarders: [] }, 'bücher.test': { trusted_forwarders: ['fwd.test'] } } };
  assert.deepEqual(trustedForwarders(cfg, 'open.test'), ['lists.example.org']);
  assert.deepEqual(trustedForwarders(cfg, 'STRICT.test'), []);
  assert.deepEqual(trustedForwarders(cfg, 'xn--bcher-kva.test'), ['fwd.test'], 'an IDN domain by its A-label');
});

test('dmarcDecision: refused only when every recipient domain refuses; Junk for the domains that would refuse or quarantine', () => {
  const cfg = { enforce: true, trusted_forwarders: ['lists.example.org'], domains: { 'strict.test': { trusted_forwarders: [] } } };
  const sealed = (policy: 'reject' | 'quarantine', pct?: number) => ({ dmarc: { result: 'fail', policy, pct, domain: 'x.test' }, arc: { result: 'pass', sealer: 'lists.example.org' } });
  const all = dmarcDecision(sealed('reject'), cfg, ['a@strict.test', 'b@Strict.Test']);
  assert.match(all.reject ?? '', /DMARC policy of x\.test \(p=reject\)/);
  assert.equal(all.disposition, 'reject');
  const mixed = dmarcDecision(sealed('reject'), cfg, ['a@strict.test', 'c@open.test']);
  assert.equal(mixed.reject, undefined);
  assert.deepEqual([...mixed.junk], [['a@strict.test', 'dmarc=reject']]);
  assert.equal(mixed.disposition, 'quarantine');
  const trusted = dmarcDecision(sealed('quarantine'), cfg, ['c@open.test']);
  assert.deepEqual([trusted.reject, trusted.junk.size, trusted.disposition], [undefined, 0, 'none']);
  // one pct draw for the whole message: every domain steps down together
  let draws = 0;
  const two = { ...cfg, domains: { ...cfg.domains, 'strict2.test': { trusted_forwarders: [] } } };
  const half = dmarcDecision(sealed('reject', 50), two, ['a@strict.test', 'b@strict2.test'], () => (draws++, 0.9));
  assert.equal(draws, 1);
  assert.deepEqual([...half.junk.values()], ['dmarc=quarantine', 'dmarc=quarantine']);
  assert.equal(dmarcDecision(sealed('reject'), { ...cfg, enforce: false }, ['a@strict.test']).disposition, 'none');
});

test('rspamd "reject" is a 550 5.7.1 refusal at SMTP time, its message kept on one reply line', async () => {
  const { Replies } = await import('../../../src/smtp/core/errors.js');
  const r = parseResult({ action: 'reject', score: 1000, required_score: 15, symbols: { GTUBE: {} }, messages: { smtp_message: 'Gtube pattern\r\n250 OK' } });
  assert.equal(rspamdOutcome(r).kind, 'reject');
  const e = Replies.spamReject(r.message ?? '');
  assert.equal(e.responseCode, 550);
  assert.equal(e.enhanced, '5.7.1');
  assert.equal(e.message, 'Message rejected as spam: Gtube pattern 250 OK');
  assert.equal(Replies.spamReject('').message, 'Message rejected as spam');
});
