/**
 * One response path (issue 11): IMAP responses are built only by the typed encoders in
 * src/imap/wire/encode.ts. Outside the wire layer no IMAP source may spell a CRLF or a
 * response line by hand, and the command layer never imports the session class or the
 * other way round.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root = dirname(fileURLToPath(import.meta.url));
while (!existsSync(join(root, 'package.json'))) root = dirname(root);
const files = (dir: string): string[] =>
  readdirSync(join(root, dir)).flatMap((n) => {
    const p = join(dir, n);
    return statSync(join(root, p)).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });

test('no hand-built IMAP response text outside src/imap/wire', () => {
  const offenders: string[] = [];
  for (const f of [...files('src/imap/commands'), ...files('src/imap/session')]) {
    const src = readFileSync(join(root, f), 'utf8');
    src.split('\n').forEach((line, i) => {
      if (/^\s*(\/\*\*|\*|\/\/)/.test(line)) return;
      if (/\\r\\n|['"`]\* [A-Z0-9$]|['"`]\+ /.test(line)) offenders.push(`${f}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(offenders, []);
});

test('the session layer never imports the command layer (the table is handed in by src/imap/server.ts)', () => {
  for (const f of files('src/imap/session')) {
    assert.doesNotMatch(readFileSync(join(root, f), 'utf8'), /from '\.\.\/commands\//, f);
  }
  assert.doesNotMatch(readFileSync(join(root, 'src/pop3/session/session.ts'), 'utf8'), /from '\.\/commands\//);
});
