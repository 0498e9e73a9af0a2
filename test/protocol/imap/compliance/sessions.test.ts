/**
 * Several sessions on one mailbox, as a peer compliance suite drives them (RFC 9051 §7.5.1,
 * §5.2; RFC 3501 \Recent): APPEND seen by the other sessions at NOOP, STATUS from a third
 * one, STORE by two sessions on one message, EXPUNGE held back and then reported (NOOP and
 * CHECK), FETCH/STORE by UID while an expunge is still pending, COPY keeping flags,
 * keywords and INTERNALDATE, MOVE announcing COPYUID before its EXPUNGE.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { msg, seed, startServer, type ImapServer } from '../harness.js';

const flagsOf = (line: string) => {
  const m = /FLAGS \(([^)]*)\)/.exec(line);
  assert.ok(m, line);
  return m[1]!.split(' ').filter((f) => f && f !== '\\Recent').sort();
};

describe('imap compliance: several sessions on one mailbox', () => {
  let server: ImapServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  async function mailbox(name: string, n: number): Promise<void> {
    const c = await server.login();
    assert.match((await c.command(`c CREATE ${name}`)).tagged, /^c OK/);
    c.destroy();
    if (n) await seed(server, name, Array.from({ length: n }, (_, i) => msg(`${name} ${i + 1}`)));
  }

  it('APPEND: the other selected session learns EXISTS at NOOP; a third one sees it in STATUS', async () => {
    await mailbox('Ap', 0);
    const [a, b, c] = [await server.login(), await server.login(), await server.login()];
    await a.command('s SELECT Ap');
    await b.command('s SELECT Ap');
    const m = 'Subject: one\r\n\r\nbody\r\n';
    const r = await a.command(`p APPEND Ap (\\Seen \\Flagged) {${m.length}+}\r\n${m}`);
    assert.match(r.tagged, /^p OK \[APPENDUID \d+ 1\]/);
    assert.ok(r.untagged.includes('* 1 EXISTS'), r.untagged.join('|'));
    assert.ok((await b.command('n NOOP')).untagged.includes('* 1 EXISTS'));
    const st = await c.command('t STATUS Ap (MESSAGES UNSEEN RECENT)');
    assert.deepEqual(st.untagged, ['* STATUS Ap (MESSAGES 1 UNSEEN 0 RECENT 0)']);
    for (const x of [a, b]) {
      const f = await x.command('f FETCH 1 (UID FLAGS)');
      assert.deepEqual(flagsOf(f.untagged[0]!), ['\\Flagged', '\\Seen']);
    }
    // \Recent is given to at most one session
    const recent = [a, b].map(async (x) => (await x.command('f FETCH 1 FLAGS')).untagged[0]!.includes('\\Recent'));
    assert.ok((await Promise.all(recent)).filter(Boolean).length <= 1);
  });

  it('STORE: two sessions changing one message keep each other\'s changes; no stale FETCH after the own answer', async () => {
    await mailbox('St', 4);
    const [a, b] = [await server.login(), await server.login()];
    await a.command('s SELECT St');
    await b.command('s SELECT St');
    const s1 = await a.command('s1 STORE 1:3 FLAGS (\\Seen)');
    assert.equal(s1.untagged.filter((l) => /^\* [123] FETCH \(FLAGS \(\\Seen/.test(l)).length, 3, s1.untagged.join('|'));
    const chk = await b.command('c CHECK');
    assert.equal(chk.untagged.filter((l) => /FETCH \(FLAGS \(\\Seen/.test(l)).length, 3, chk.untagged.join('|'));
    await a.command('s2 STORE 2,4 +FLAGS ($hello $world)');
    const kw = await b.command('n NOOP');
    // keywords are announced in FLAGS before a FETCH uses them
    const flagsAt = kw.untagged.findIndex((l) => l.startsWith('* FLAGS ') && l.includes('$hello'));
    const fetchAt = kw.untagged.findIndex((l) => /^\* 2 FETCH/.test(l));
    assert.ok(flagsAt >= 0 && fetchAt > flagsAt, kw.untagged.join('|'));
    await a.command('s3 STORE 1 +FLAGS (\\Draft)');
    const own = await b.command('s4 STORE 1 -FLAGS (\\Seen)');
    const about1 = own.untagged.filter((l) => /^\* 1 FETCH/.test(l));
    // whatever b is told about message 1, the last word is the current state
    assert.deepEqual(flagsOf(about1[about1.length - 1]!), ['\\Draft']);
    await a.command('c CHECK');
    for (const x of [a, b]) assert.deepEqual(flagsOf((await x.command('f FETCH 1 FLAGS')).untagged.at(-1)!), ['\\Draft']);
  });

  it('EXPUNGE by another session: FETCH of the UID still answers; the EXPUNGE comes at NOOP', async () => {
    await mailbox('Ex', 3);
    const [a, b] = [await server.login(), await server.login()];
    await a.command('s SELECT Ex');
    await b.command('s SELECT Ex');
    await a.command('d STORE 3 FLAGS \\Deleted');
    assert.deepEqual((await a.command('e EXPUNGE')).untagged, ['* 3 EXPUNGE']);
    const f = await b.command('f FETCH 3 UID');
    assert.match(f.tagged, /^f OK/);
    assert.ok(f.untagged.includes('* 3 FETCH (UID 3)'), f.untagged.join('|'));
    assert.ok(!f.untagged.some((l) => l.includes('EXPUNGE')));
    assert.ok((await b.command('n NOOP')).untagged.includes('* 3 EXPUNGE'));
  });

  it('UID FETCH / UID STORE while an expunge is pending use the old sequence numbers; CHECK reports it', async () => {
    await mailbox('Ex2', 5);
    const [a, b] = [await server.login(), await server.login()];
    await a.command('s SELECT Ex2');
    await b.command('s SELECT Ex2');
    await a.command('d STORE 1,3 +FLAGS.SILENT \\Deleted');
    const e = await a.command('e EXPUNGE');
    assert.equal(e.untagged.filter((l) => l.endsWith('EXPUNGE')).length, 2);
    const uf = await b.command('u UID FETCH 2,4 UID');
    assert.ok(uf.untagged.includes('* 2 FETCH (UID 2)') && uf.untagged.includes('* 4 FETCH (UID 4)'), uf.untagged.join('|'));
    await b.command('n NOOP');
    // now b has 2,4,5 as 1,2,3
    await a.command('d STORE 1 +FLAGS.SILENT \\Deleted');
    await a.command('e EXPUNGE');
    const us = await b.command('u UID STORE 4 FLAGS \\Seen');
    assert.ok(us.untagged.some((l) => /^\* 2 FETCH \(UID 4 FLAGS \(\\Seen/.test(l)), us.untagged.join('|'));
    // the FETCH above used the old numbers; the EXPUNGE follows (UID commands may send it at their end)
    const fetchAt = us.untagged.findIndex((l) => l.includes('FETCH'));
    const expAt = us.untagged.indexOf('* 1 EXPUNGE');
    const later = (await b.command('n NOOP')).untagged.includes('* 1 EXPUNGE');
    assert.ok((expAt > fetchAt) !== later, 'one EXPUNGE, after the FETCH');
    await a.command('d STORE 1 +FLAGS.SILENT \\Deleted');
    await a.command('e EXPUNGE');
    assert.ok((await b.command('c CHECK')).untagged.includes('* 1 EXPUNGE'));
  });

  it('COPY keeps flags, keywords and INTERNALDATE; the target session sees EXISTS and RECENT', async () => {
    await mailbox('Cp', 5);
    await mailbox('Cp2', 0);
    const [a, b] = [await server.login(), await server.login()];
    await a.command('s SELECT Cp');
    await b.command('s SELECT Cp2');
    await a.command('f STORE 1 FLAGS (\\Seen)');
    await a.command('f STORE 2 FLAGS (\\Draft \\Flagged)');
    await a.command('f STORE 5 FLAGS (\\Flagged $kw1 $kw2)');
    const dates = (await a.command('d FETCH 1:5 INTERNALDATE')).untagged.map((l) => /INTERNALDATE "([^"]+)"/.exec(l)![1]);
    const cp = await a.command('c COPY 1:2,4 Cp2');
    assert.match(cp.tagged, /^c OK \[COPYUID \d+ 1:2,4 1:3\]/);
    const n = await b.command('n NOOP');
    assert.ok(n.untagged.includes('* 3 EXISTS') && n.untagged.includes('* 3 RECENT'), n.untagged.join('|'));
    const f = (await b.command('f FETCH 1:3 (FLAGS INTERNALDATE)')).untagged.filter((l) => l.includes('FETCH'));
    assert.deepEqual(f.map(flagsOf), [['\\Seen'], ['\\Draft', '\\Flagged'], []]);
    assert.deepEqual(f.map((l) => /INTERNALDATE "([^"]+)"/.exec(l)![1]), [dates[0], dates[1], dates[3]]);
    await a.command('c COPY 5 Cp2');
    await b.command('n NOOP');
    const k = (await b.command('f FETCH 4 (FLAGS INTERNALDATE)')).untagged.filter((l) => l.includes('FETCH'));
    assert.deepEqual(flagsOf(k[0]!), ['$kw1', '$kw2', '\\Flagged']);
    assert.equal(/INTERNALDATE "([^"]+)"/.exec(k[0]!)![1], dates[4]);
    assert.match((await a.command('c COPY 1 Nowhere')).tagged, /^c NO \[TRYCREATE\]/);
  });

  it('MOVE and UID MOVE: COPYUID comes untagged before the EXPUNGE; MOVE into the same mailbox gets a new UID', async () => {
    await mailbox('Mv', 3);
    await mailbox('Mv2', 0);
    const a = await server.login();
    const sel = await a.command('s SELECT Mv2');
    const validity = /UIDVALIDITY (\d+)/.exec(sel.untagged.join(' '))![1];
    const own = /UIDVALIDITY (\d+)/.exec((await a.command('s SELECT Mv')).untagged.join(' '))![1];
    const m1 = await a.command('m MOVE 1 Mv2');
    assert.match(m1.untagged[0]!, new RegExp(`^\\* OK \\[COPYUID ${validity} 1 1\\]`));
    assert.equal(m1.untagged[1], '* 1 EXPUNGE');
    const m2 = await a.command('m UID MOVE 2 Mv2');
    assert.match(m2.untagged[0]!, new RegExp(`^\\* OK \\[COPYUID ${validity} 2 2\\]`));
    assert.equal(m2.untagged[1], '* 1 EXPUNGE');
    const m3 = await a.command('m MOVE 1 Mv');
    assert.match(m3.untagged[0]!, new RegExp(`^\\* OK \\[COPYUID ${own} 3 4\\]`));
    assert.ok(m3.untagged.includes('* 1 EXPUNGE') && m3.untagged.includes('* 1 EXISTS'), m3.untagged.join('|'));
  });
});
