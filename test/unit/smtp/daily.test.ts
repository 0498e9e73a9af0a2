/**
 * The daily reports' trigger (src/smtp/core/daily.ts; TLS-RPT and DMARC aggregate reports
 * are sent "daily", issue 15): each queue pass asks, yesterday's report goes out once per
 * namespace however many passes or processes ask, and the next day's goes out the next day.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryStore } from '../../../src/store/memory/index.js';
import { oncePerDay } from '../../../src/smtp/core/daily.js';

test('yesterday is sent once per namespace, by one of several callers at once; the next day again', async () => {
  const store = createMemoryStore();
  try {
    const sent: string[] = [];
    const send = (what: string) => async (day: string) => void sent.push(`${what} ${day}`);
    const morning = new Date('2026-12-03T00:05:00Z');
    await Promise.all([oncePerDay(store, 'tlsrpt', morning, send('tls')), oncePerDay(store, 'tlsrpt', morning, send('tls'))]);
    await oncePerDay(store, 'tlsrpt', new Date('2026-12-03T23:55:00Z'), send('tls'));
    assert.deepEqual(sent, ['tls 2026-12-02'], 'one report for the previous day, however often the queue runs');
    await oncePerDay(store, 'dmarc', morning, send('dmarc'));
    assert.deepEqual(sent, ['tls 2026-12-02', 'dmarc 2026-12-02'], 'each namespace on its own');
    await oncePerDay(store, 'tlsrpt', new Date('2026-12-04T00:01:00Z'), send('tls'));
    assert.deepEqual(sent.slice(2), ['tls 2026-12-03']);
  } finally {
    await store.close();
  }
});
