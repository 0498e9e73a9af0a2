/**
 * The configuration loader (src/config/load.ts parseConfig): any text, from mutations of
 * the shipped example configuration and generated TOML, is either a valid Config or a
 * ConfigError naming the problem; nothing else escapes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { ConfigError, parseConfig } from '../../../src/config/load.js';
import { defineTarget } from '../harness.js';
import { mutated } from '../mutate.js';

const example = readFileSync(join(process.cwd(), 'config', 'letterbox.example.toml'));
const keys = ['hostname', 'data_dir', 'limits.line_length', 'limits.message_size', 'pop3.uidl_format', 'pop3.retention_days', 'listeners.imap.port', 'listeners.imap.address', 'tls.cert', 'store.backend', 'log.level', 'auth.plaintext_allowed_from', 'smtp.relay_host', 'x.y'];
const value = fc.oneof(fc.constantFrom('0', '-1', '1e400', '"x"', '""', 'true', '[]', '["127.0.0.1", 5]', '{}', '{ a = 1 }', 'nan', '2024-01-01T00:00:00Z', '"dovecot"', '"\\u0000"', '9999999999999999999'), fc.integer().map(String), fc.string({ maxLength: 12 }).map((s) => JSON.stringify(s)));
const toml = fc.array(fc.tuple(fc.constantFrom(...keys), value), { maxLength: 8 }).map((kv) => Buffer.from(kv.map(([k, v]) => `${k} = ${v}`).join('\n')));

export default defineTarget({
  name: 'config',
  input: mutated(fc.oneof(fc.constant(example), toml), ['\n', '[', ']', '[[', '=', '"', "'''", '#', '.', ' ', '\\', '\0', 'store', 'listeners'], 6),
  check(text) {
    try {
      const c = parseConfig(text.toString('utf8'), 'fuzz.toml', '/tmp');
      assert.equal(typeof c.hostname, 'string');
    } catch (e) {
      assert.ok(e instanceof ConfigError, `not a ConfigError: ${(e as Error)?.stack ?? String(e)}`);
      assert.ok((e as Error).message.length > 0);
    }
  },
  quickRuns: 300,
});
