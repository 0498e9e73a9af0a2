/**
 * FETCH responses that leave in several writes (src/imap/commands/fetch.ts: a small first
 * write, then larger ones): every response arrives once, in order, with the FLAGS
 * announcement of a new keyword (RFC 9051 §7.3.5) before the first FETCH that carries it,
 * and BODY[] literals byte-exact across write boundaries.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { msg, seed, startServer, type ImapServer } from './harness.js';

const N = 900; // "* n FETCH (UID n FLAGS ())" × 900 is about 30 KB: more than the first write
const LATE = 800; // gets a keyword from another session after the mailbox is selected

describe('imap FETCH over several writes', () => {
  let server: ImapServer;
  const bodies: Buffer[] = [];
  before(async () => {
    server = await startServer();
    for (let i = 1; i <= N; i++) bodies.push(msg(`message ${i}`, `${'line of body text '.repeat(i % 7 === 0 ? 400 : 3)}${i}\r\n`));
    await seed(server, 'INBOX', bodies);
  });
  after(() => server.close());

  it('answers every message of 1:* once, in order, and announces a new keyword before its first use', async () => {
    // b selects first and so holds \Recent (RFC 3501 §2.3.2): a's FLAGS are only the keyword
    const b = await server.login();
    await b.command('s1 SELECT INBOX');
    const a = await server.login();
    await a.command('s1 SELECT INBOX');
    assert.match((await b.command(`t1 STORE ${LATE} +FLAGS.SILENT ($Late)`)).tagged, /^t1 OK/);
    const r = await a.command('f1 UID FETCH 1:* (UID FLAGS)');
    assert.match(r.tagged, /^f1 OK/);
    // (the other session's change is also reported after it, unsolicited, without UID)
    const fetches = r.untagged.filter((l) => / FETCH \(UID /.test(l));
    assert.equal(fetches.length, N);
    fetches.forEach((l, i) => {
      const flags = i + 1 === LATE ? '$Late' : '';
      assert.equal(l, `* ${i + 1} FETCH (UID ${i + 1} FLAGS (${flags}))`);
    });
    const announced = r.untagged.findIndex((l) => l.startsWith('* FLAGS ') && l.includes('$Late'));
    const used = r.untagged.findIndex((l) => l.includes('FLAGS ($Late)') && l.includes(' FETCH '));
    assert.ok(announced >= 0, 'no FLAGS response naming $Late');
    assert.ok(announced < used, 'the keyword was used before it was announced');
  });

  it('sends BODY[] of many messages byte-exact across writes', async () => {
    const c = await server.login();
    await c.command('s1 EXAMINE INBOX');
    const first = 600;
    c.send(`f1 FETCH ${first}:${N} BODY.PEEK[]`);
    for (let seq = first; seq <= N; seq++) {
      const raw = bodies[seq - 1]!;
      const line = await c.readRaw();
      const head = `* ${seq} FETCH (BODY[] {${raw.length}}\r\n`;
      assert.equal(line.subarray(0, head.length).toString('latin1'), head);
      assert.ok(line.subarray(head.length, head.length + raw.length).equals(raw), `BODY[] of ${seq} differs`);
      assert.equal(line.subarray(head.length + raw.length).toString(), ')\r\n');
    }
    assert.match(await c.readLine(), /^f1 OK/);
  });
});
