import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { defaultConfig } from '../../../src/config/schema.js';
import { createLogger } from '../../../src/log.js';

function capture(level = 'info') {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { lines, log: createLogger(defaultConfig({ log: { level } }), { destination }) };
}

test('credentials are redacted wherever they are passed', () => {
  const { lines, log } = capture();
  log.info({ password: 'p1', pass: 'p2', user: { password: 'p3', name: 'anna' }, authorization: 'Basic eA==', req: { headers: { authorization: 'Bearer t' } } }, 'x');
  const text = JSON.stringify(lines);
  for (const secret of ['p1', 'p2', 'p3', 'Basic eA==', 'Bearer t']) assert.ok(!text.includes(secret), secret);
  assert.equal((lines[0]!.user as Record<string, unknown>).name, 'anna');
});

test('level comes from config.log.level; connection children carry conn, proto, ip', () => {
  const { lines, log } = capture('warn');
  log.info('hidden');
  log.child({ conn: 'c1', proto: 'imap', ip: '192.0.2.7' }).warn('shown');
  assert.equal(lines.length, 1);
  assert.equal(lines[0]!.msg, 'shown');
  assert.equal(lines[0]!.conn, 'c1');
  assert.equal(lines[0]!.proto, 'imap');
  assert.equal(lines[0]!.ip, '192.0.2.7');
});
