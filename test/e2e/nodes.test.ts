/**
 * Two `letterbox serve` nodes on one PostgreSQL database (the run's private cluster):
 * - IDLE on node A sees APPEND, flag changes and EXPUNGE made on node B, in that order
 *   (checked by the order of events; the latency is reported, not asserted);
 * - mbsync and imaplib sessions spread over both nodes see one consistent mailbox;
 * - killing node A with SIGKILL during SMTP load loses no acknowledged message, and node B
 *   delivers the outbound mail A had claimed once A's claim runs out.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as net from 'node:net';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { RawClient } from '../robustness/raw.js';
import { createTestDatabase, havePostgres } from '../helpers/pg-cluster.js';
import { has, python, runTool } from './tools.js';
import { addUserViaCli, makeServeHome, type ServeHome, type ServeProcess } from './serve-process.js';

const ALICE = 'alice@example.test';
const PW = 'alice-secret-pw';
const skip = !havePostgres() && 'PostgreSQL is not installed';

/** an SMTP server standing for the Internet: records Message-IDs; holds DATA while `hold` is set */
async function startSink() {
  const got: string[] = [];
  let hold: Promise<void> | null = null;
  let release = () => undefined as void;
  let sessions = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    closeTimeout: 100,
    onConnect(_s, cb) {
      sessions++;
      cb();
    },
    onData(stream, _s, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const id = /^Message-ID:\s*(\S+)/im.exec(Buffer.concat(chunks).toString())?.[1] ?? '?';
        void (hold ?? Promise.resolve()).then(() => {
          got.push(id);
          cb(null, 'queued');
        });
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.server.address() as net.AddressInfo).port,
    got,
    get sessions() {
      return sessions;
    },
    hold() {
      hold = new Promise<void>((r) => (release = r));
    },
    release() {
      hold = null;
      release();
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function login(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port);
  await c.expect((t) => t.includes('\r\n'), 'greeting', 10_000);
  c.write(`l LOGIN ${ALICE} ${PW}\r\n`);
  await c.expect((t) => /^l OK/m.test(t), 'LOGIN', 10_000);
  c.write('s SELECT INBOX\r\n');
  await c.expect((t) => /^s OK/m.test(t), 'SELECT', 10_000);
  c.take();
  return c;
}

async function command(c: RawClient, tag: string, line: string, literal?: Buffer): Promise<string> {
  if (literal) {
    c.write(`${tag} ${line} {${literal.length}}\r\n`);
    await c.expect((t) => t.includes('+ '), `${tag} continuation`, 10_000);
    c.write(Buffer.concat([literal, Buffer.from('\r\n')]));
  } else c.write(`${tag} ${line}\r\n`);
  await c.expect((t) => new RegExp(`^${tag} (OK|NO|BAD)`, 'm').test(t), `${tag} ${line}`, 10_000);
  return c.take();
}

describe('two letterbox nodes on one PostgreSQL database', { skip, timeout: 240_000 }, () => {
  let url: string;
  let sink: Awaited<ReturnType<typeof startSink>>;
  let homeA: ServeHome;
  let homeB: ServeHome;
  let a: ServeProcess;
  let b: ServeProcess;

  before(async () => {
    url = await createTestDatabase('nodes');
    sink = await startSink();
    const opts = {
      store: `backend = "postgres"\n[store.postgres]\nurl = "${url}"\npool_size = 4`,
      smtp: `verify_inbound = false\nrelay_host = "127.0.0.1:${sink.port}"\nqueue_lease_s = 4\nretry_base_s = 1`,
      serveArgs: ['--workers', '1'],
    };
    homeA = makeServeHome('', undefined, opts);
    homeB = makeServeHome('', undefined, opts);
    await addUserViaCli(homeA, ALICE, PW);
    [a, b] = await Promise.all([homeA.start(), homeB.start()]);
  });
  after(async () => {
    for (const p of [a, b]) if (p && p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
    await Promise.all([a?.exited, b?.exited]);
    await homeA?.cleanup();
    await homeB?.cleanup();
    await sink?.close();
  });

  test('IDLE on node A sees APPEND, flags and EXPUNGE made on node B, in order', async (t) => {
    const idler = await login(a.ports.imap);
    const writer = await login(b.ports.imap);
    try {
      idler.write('i IDLE\r\n');
      await idler.expect((x) => x.includes('+ idling') || x.includes('+ '), 'IDLE', 10_000);
      idler.take();
      const latency: number[] = [];
      const seen = async (what: RegExp, label: string) => {
        const t0 = Date.now();
        await idler.expect((x) => what.test(x), `node A reports ${label}`, 10_000);
        latency.push(Date.now() - t0);
      };
      const appended = await command(writer, 'a1', 'APPEND INBOX', Buffer.from(`Message-ID: <idle-1@x>\r\nSubject: from B\r\n\r\nhello\r\n`));
      const uid = Number(/APPENDUID \d+ (\d+)/.exec(appended)?.[1]);
      assert.ok(uid > 0, appended);
      await seen(/\* \d+ EXISTS/, 'EXISTS');
      await command(writer, 'a2', `UID STORE ${uid} +FLAGS (\\Flagged)`);
      await seen(/\* \d+ FETCH \([^)]*FLAGS \([^)]*\\Flagged/, 'the new flag');
      await command(writer, 'a3', `UID STORE ${uid} +FLAGS (\\Deleted)`);
      await command(writer, 'a4', `UID EXPUNGE ${uid}`);
      await seen(/\* \d+ EXPUNGE/, 'EXPUNGE');
      const text = idler.text;
      assert.ok(text.indexOf('EXISTS') < text.indexOf('\\Flagged') && text.lastIndexOf('\\Flagged') < text.indexOf('EXPUNGE'), text);
      t.diagnostic(`node B's change seen by IDLE on node A after B's OK: ${latency.join(' / ')} ms (EXISTS / FETCH / EXPUNGE)`);
      idler.write('DONE\r\n');
      await idler.expect((x) => /^i OK/m.test(x), 'IDLE ends', 10_000);
    } finally {
      idler.destroy();
      writer.destroy();
    }
  });

  test('mbsync on one node and imaplib on the other see one mailbox', { skip: !has('mbsync') && 'mbsync not installed' }, async () => {
    const home = mkdtempSync(join(tmpdir(), 'letterbox-nodes-mbsync-'));
    try {
      // imaplib on node B puts three messages in
      const put = await python(
        `import imaplib,sys
c=imaplib.IMAP4('127.0.0.1',int(sys.argv[1])); c.login(sys.argv[2],sys.argv[3])
for i in range(3): c.append('INBOX', None, None, ('Message-ID: <sync-%d@x>\\r\\nSubject: sync %d\\r\\n\\r\\nbody %d\\r\\n' % (i,i,i)).encode())
c.logout()`,
        [String(b.ports.imap), ALICE, PW],
      );
      assert.equal(put.code, 0, put.stderr);
      const maildir = join(home, 'mail');
      mkdirSync(maildir);
      const rc = (node: ServeProcess, nodeHome: ServeHome) => {
        const file = join(home, 'mbsyncrc');
        writeFileSync(
          file,
          `IMAPAccount lb\nHost 127.0.0.1\nPort ${node.ports.imap}\nUser ${ALICE}\nPass "${PW}"\nSSLType STARTTLS\n` +
            `CertificateFile ${join(nodeHome.dataDir, 'tls', 'cert.pem')}\nSystemCertificates no\n\n` +
            `IMAPStore remote\nAccount lb\n\nMaildirStore local\nPath ${maildir}/\nInbox ${maildir}/INBOX\nSubFolders Verbatim\n\n` +
            `Channel ch\nFar :remote:\nNear :local:\nPatterns INBOX\nCreate Both\nExpunge Both\nSyncState *\n`,
        );
        return file;
      };
      const sync = async (node: ServeProcess, nodeHome: ServeHome) => {
        const r = await runTool('mbsync', ['-c', rc(node, nodeHome), '-a'], { timeoutMs: 60_000 });
        assert.equal(r.code, 0, `mbsync: ${r.stderr}`);
      };
      const files = () => ['cur', 'new'].flatMap((d) => (existsSync(join(maildir, 'INBOX', d)) ? readdirSync(join(maildir, 'INBOX', d)).map((f) => join(maildir, 'INBOX', d, f)) : []));
      await sync(a, homeA); // pull through node A
      const pulled = files();
      assert.ok(pulled.length >= 3, `mbsync pulled ${pulled.length}`);
      // locally: flag one, delete one; push through node B
      const [first, second] = pulled.filter((f) => !/,.*T/.test(f));
      renameSync(first!, first!.includes(':2,') ? first!.replace(/:2,(\w*)$/, ':2,F$1') : `${first}:2,F`);
      unlinkSync(second!);
      await sync(b, homeB);
      // both nodes now agree, seen by imaplib
      const listing = async (node: ServeProcess) => {
        const r = await python(
          `import imaplib,sys
c=imaplib.IMAP4('127.0.0.1',int(sys.argv[1])); c.login(sys.argv[2],sys.argv[3]); c.select('INBOX')
typ,data=c.uid('FETCH','1:*','(FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])')
print(sorted(str(x) for x in data if x != b')'))
c.logout()`,
          [String(node.ports.imap), ALICE, PW],
        );
        assert.equal(r.code, 0, r.stderr);
        return r.stdout.toString();
      };
      const [viaA, viaB] = [await listing(a), await listing(b)];
      assert.equal(viaA, viaB);
      assert.match(viaA, /\\\\Flagged/);
      assert.equal((viaA.match(/sync-\d@x/g) ?? []).length, 2, viaA);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  test('SIGKILL of node A during SMTP load: no acknowledged message lost; node B delivers the queue', async (t) => {
    // outbound mail submitted on A, claimed by A's queue runner, stuck at the sink when A dies
    sink.hold();
    const submit = nodemailer.createTransport({ host: '127.0.0.1', port: a.ports.submission, secure: false, auth: { user: ALICE, pass: PW }, tls: { rejectUnauthorized: false } });
    const outbound: string[] = [];
    for (let i = 0; i < 3; i++) {
      const id = `<out-${i}@example.test>`;
      await submit.sendMail({ from: ALICE, to: 'someone@far.example', subject: `out ${i}`, text: 'outbound', messageId: id });
      outbound.push(id);
    }
    const deadline = Date.now() + 30_000;
    while (sink.sessions === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok(sink.sessions > 0, 'node A started delivering');

    // inbound load on both nodes; A is killed in the middle of it
    const acked: string[] = [];
    let ackedByA = 0;
    const send = async (node: ServeProcess, i: number) => {
      const id = `<load-${i}@example.test>`;
      const tr = nodemailer.createTransport({ host: '127.0.0.1', port: node.ports.smtp, secure: false, ignoreTLS: true, connectionTimeout: 5000, socketTimeout: 5000 });
      try {
        await tr.sendMail({ from: 'someone@far.example', to: ALICE, subject: `load ${i}`, text: `message ${i}`, messageId: id });
        acked.push(id);
        if (node === a) ackedByA++;
      } catch {
        /* not acknowledged: the sender would retry */
      }
    };
    const load = Array.from({ length: 60 }, (_, i) => new Promise<void>((r) => setTimeout(r, i * 40)).then(() => send(i % 2 ? a : b, i)));
    // kill A once it has acknowledged a few, while more are on their way to it
    const killBy = Date.now() + 20_000;
    while (ackedByA < 3 && Date.now() < killBy) await new Promise((r) => setTimeout(r, 10));
    a.child.kill('SIGKILL');
    const ackedBeforeKill = ackedByA;
    await Promise.all(load);
    await a.exited;
    sink.release();

    // every acknowledged message is in the mailbox, seen through node B
    const r = await python(
      `import imaplib,sys
c=imaplib.IMAP4('127.0.0.1',int(sys.argv[1])); c.login(sys.argv[2],sys.argv[3]); c.select('INBOX')
typ,data=c.uid('FETCH','1:*','(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])')
print('\\n'.join(x[1].decode().strip() for x in data if isinstance(x, tuple)))
c.logout()`,
      [String(b.ports.imap), ALICE, PW],
    );
    assert.equal(r.code, 0, r.stderr);
    const stored = r.stdout.toString();
    const lost = acked.filter((id) => !stored.includes(id));
    assert.deepEqual(lost, [], `acknowledged but missing: ${lost.join(' ')}`);
    assert.ok(acked.length > 0);

    // node B delivers the queue once A's claims run out (queue_lease_s = 4)
    const until = Date.now() + 60_000;
    while (!outbound.every((id) => sink.got.includes(id)) && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(outbound.filter((id) => !sink.got.includes(id)), [], `delivered: ${sink.got.join(' ')}`);
    assert.ok(ackedBeforeKill >= 3, 'node A acknowledged messages before it was killed');
    t.diagnostic(
      `${acked.length}/60 inbound acknowledged (${ackedByA} by node A before SIGKILL), all stored; ` +
        `${sink.got.length} outbound deliveries for ${outbound.length} messages (one may repeat: A died with it in DATA)`,
    );
  });
});
