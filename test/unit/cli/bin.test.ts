import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

// bin/letterbox runs the compiled CLI; under `npm test` dist/ exists (from source under tsx it may not)
test('bin/letterbox runs the command: config check on the shipped example', { skip: !existsSync('dist/src/cli/main.js') && 'dist/ not built' }, () => {
  const r = spawnSync(process.execPath, ['bin/letterbox', '-c', 'config/letterbox.example.toml', 'config', 'check'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /configuration OK/);

  const bad = spawnSync(process.execPath, ['bin/letterbox', '-c', 'config/does-not-exist.toml', 'config', 'check'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /does-not-exist\.toml: configuration file not found/);
  assert.doesNotMatch(bad.stderr, /\n\s+at /, 'no stack trace');
});
