/**
 * `letterbox serve --workers 2` as a process (SQLite): connections opened at once are spread
 * evenly over the workers (the primary hands each to the worker with the fewest open ones,
 * src/cli/balancer.ts), they are served there, and SIGTERM still says goodbye on every one
 * and exits 0. Which process serves a connection is read from /proc: the server side of the
 * client's port in /proc/net/tcp, and which worker holds that socket among its descriptors.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { addUserViaCli, makeServeHome, type ServeHome, type ServeProcess } from './serve-process.js';

const linux = process.platform === 'linux';

/** pids whose parent is `pid` */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = readFileSync(`/proc/${d}/stat`, 'latin1');
      if (Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

/** socket inode of the server side of each client connection to `serverPort`, by the client's port */
function serverSockets(serverPort: number): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of readFileSync('/proc/net/tcp', 'latin1').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const local = parseInt(f[1]!.split(':')[1]!, 16);
    const remote = parseInt(f[2]!.split(':')[1]!, 16);
    if (local === serverPort && f[3] === '01') out.set(remote, f[9]!); // 01: ESTABLISHED
  }
  return out;
}

/** the worker (among `workers`) serving each client socket */
function servingWorker(clients: net.Socket[], serverPort: number, workers: number[]): number[] {
  const inodes = serverSockets(serverPort);
  const owner = new Map<string, number>();
  for (const pid of workers) {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) owner.set(m[1]!, pid);
      } catch {
        /* closed meanwhile */
      }
    }
  }
  return clients.map((c) => owner.get(inodes.get(c.localPort!) ?? '') ?? -1);
}

/** connects and waits for the IMAP greeting (sent by the worker, so the socket is there by then) */
function greeted(port: number): Promise<{ socket: net.Socket; text: () => string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      if (/^\* OK/.test(buf) && buf.includes('\r\n')) resolve({ socket, text: () => buf });
    });
    socket.once('error', reject);
  });
}

describe('serve --workers 2 spreads connections over its workers', { skip: !linux && 'reads /proc', timeout: 120_000 }, () => {
  let home: ServeHome;
  let serve: ServeProcess;

  before(async () => {
    home = makeServeHome('', undefined, { serveArgs: ['--workers', '2'] });
    await addUserViaCli(home, 'alice@example.test', 'alice workers password');
    serve = await home.start();
  });
  after(async () => {
    if (serve && serve.child.exitCode === null && serve.child.signalCode === null) serve.child.kill('SIGKILL');
    await home?.cleanup();
  });

  test('8 connections at once, three times: 4 more on each worker every time; served there; SIGTERM says BYE on all and exits 0', async () => {
    const workers = childrenOf(serve.child.pid!);
    assert.equal(workers.length, 2, `two worker processes: ${workers.join(', ')}`);
    const conns: Array<{ socket: net.Socket; text: () => string }> = [];
    for (let round = 1; round <= 3; round++) {
      conns.push(...(await Promise.all(Array.from({ length: 8 }, () => greeted(serve.ports.imap)))));
      const by = servingWorker(
        conns.map((c) => c.socket),
        serve.ports.imap,
        workers,
      );
      const counts = workers.map((w) => by.filter((p) => p === w).length);
      assert.deepEqual(counts, [4 * round, 4 * round], `round ${round}: connections per worker ${counts.join('/')} (${by.join(' ')})`);
    }

    // each worker serves what it was handed: a login and a command on one connection of each
    const by = servingWorker(
      conns.map((c) => c.socket),
      serve.ports.imap,
      workers,
    );
    for (const w of workers) {
      const c = conns[by.indexOf(w)]!;
      c.socket.write('a LOGIN alice@example.test "alice workers password"\r\nb SELECT INBOX\r\n');
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no answer from worker ${w}: ${c.text()}`)), 30_000);
        const check = () => {
          if (/\r\nb OK /.test(c.text())) {
            clearTimeout(t);
            c.socket.off('data', check);
            resolve();
          }
        };
        c.socket.on('data', check);
        check();
      });
      assert.match(c.text(), /\r\na OK /);
    }

    const closed = conns.map((c) => new Promise<void>((resolve) => c.socket.once('close', () => resolve())));
    serve.child.kill('SIGTERM');
    const exit = await serve.exited;
    await Promise.all(closed);
    assert.equal(exit.code, 0, serve.stderr());
    for (const c of conns) assert.match(c.text(), /\* BYE /);
  });
});
