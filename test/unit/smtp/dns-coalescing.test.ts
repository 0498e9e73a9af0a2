/**
 * The SMTP resolver sends one query per name and type at a time (src/smtp/core/dns.ts
 * coalescing): the deliveries of a burst from one domain share the SPF/DMARC answers
 * instead of each asking, and each caller gets its own copy of the answer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coalescing, isNotFound, tableResolver, type DnsResolver } from '../../../src/smtp/core/dns.js';

/** the offline table resolver, counting the queries that reach it */
function counted(table: Parameters<typeof tableResolver>[0]): { resolver: DnsResolver; asked: string[] } {
  const inner = tableResolver(table);
  const asked: string[] = [];
  return {
    asked,
    resolver: (name, rrtype) => {
      asked.push(`${rrtype} ${name}`);
      return inner(name, rrtype);
    },
  };
}

test('concurrent identical queries share one; different names or types do not', async () => {
  const { resolver, asked } = counted({ 'sender.test': { TXT: [['v=spf1 -all']], MX: [{ exchange: 'mx.sender.test', priority: 10 }] }, '_dmarc.sender.test': { TXT: [['v=DMARC1; p=none']] } });
  const r = coalescing(resolver);
  const answers = await Promise.all([r('sender.test', 'TXT'), r('Sender.Test', 'txt'), r('sender.test', 'TXT'), r('_dmarc.sender.test', 'TXT'), r('sender.test', 'MX')]);
  assert.deepEqual(asked, ['TXT sender.test', 'TXT _dmarc.sender.test', 'MX sender.test']);
  assert.deepEqual(answers[0], [['v=spf1 -all']]);
  assert.deepEqual(answers[1], [['v=spf1 -all']]);
  assert.deepEqual(answers[3], [['v=DMARC1; p=none']]);
  assert.deepEqual(answers[4], [{ exchange: 'mx.sender.test', priority: 10 }]);
  // each caller has its own copy: one changing its answer changes no other's
  (answers[0] as string[][])[0]!.push('changed');
  assert.deepEqual(answers[2], [['v=spf1 -all']]);
});

test('nothing is kept after the query: a later question asks again, failures included', async () => {
  const { resolver, asked } = counted({ 'sender.test': { TXT: [['v=spf1 -all']] } });
  const r = coalescing(resolver);
  await r('sender.test', 'TXT');
  await r('sender.test', 'TXT');
  const failures = await Promise.allSettled([r('gone.test', 'TXT'), r('gone.test', 'TXT')]);
  for (const f of failures) assert.ok(f.status === 'rejected' && isNotFound(f.reason), 'ENOTFOUND reaches every caller');
  await assert.rejects(r('gone.test', 'TXT'), (err: unknown) => isNotFound(err));
  assert.deepEqual(asked, ['TXT sender.test', 'TXT sender.test', 'TXT gone.test', 'TXT gone.test']);
});
