import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from '../../../src/config/schema.js';
import { plaintextAllowed } from '../../../src/auth/policy.js';

test('plaintext allowed only inside TLS by default', () => {
  const config = defaultConfig();
  assert.equal(plaintextAllowed(config, { secure: true, remoteAddress: '203.0.113.9' }), true);
  assert.equal(plaintextAllowed(config, { secure: false, remoteAddress: '127.0.0.1' }), false);
});

test('plaintext_allowed_from lists addresses, IPv4-mapped IPv6 normalised', () => {
  const config = defaultConfig({ auth: { plaintext_allowed_from: ['127.0.0.1', '::1'] } });
  assert.equal(plaintextAllowed(config, { secure: false, remoteAddress: '127.0.0.1' }), true);
  assert.equal(plaintextAllowed(config, { secure: false, remoteAddress: '::ffff:127.0.0.1' }), true);
  assert.equal(plaintextAllowed(config, { secure: false, remoteAddress: '::1' }), true);
  assert.equal(plaintextAllowed(config, { secure: false, remoteAddress: '127.0.0.2' }), false);
  assert.equal(plaintextAllowed(config, { secure: false, remoteAddress: '192.0.2.1' }), false);
});
