/**
 * The primary of `serve --workers N` hands each connection to the worker with the fewest
 * open ones (src/cli/balancer.ts, src/net/handoff.ts), with real worker processes
 * (test/helpers/handoff-worker.ts, forked by node:cluster) and real TCP connections.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import cluster, { type Worker } from 'node:cluster';
import * as net from 'node:net';
import pino from 'pino';
import { parseConfig } from '../../../src/config/load.js';
import { startBalancer } from '../../../src/cli/balancer.js';
import { leastLoaded } from '../../../src/net/handoff.js';

test('leastLoaded: the fewest open connections; equals in turn from `from`; -1 without workers', () => {
  assert.equal(leastLoaded([3, 1, 2], 0), 1);
  assert.equal(leastLoaded([2, 2, 2], 0), 0);
  assert.equal(leastLoaded([2, 2, 2], 1), 1);
  assert.equal(leastLoaded([2, 2, 2], 2), 2);
  assert.equal(leastLoaded([1, 2, 1], 1), 2);
  assert.equal(leastLoaded([0, 5], 1), 0);
  assert.equal(leastLoaded([], 0), -1);
});

const underTsx = import.meta.url.endsWith('.ts');
const workers: Worker[] = [];
after(() => {
  for (const w of workers) w.process.kill('SIGKILL');
});

/** connects; resolves with the pid the worker greets with */
function connect(port: number): Promise<{ socket: net.Socket; pid: number }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString();
      const m = /^pid (\d+)\n/.exec(buf);
      if (m) resolve({ socket, pid: Number(m[1]) });
    });
    socket.once('error', reject);
  });
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !ok(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(ok(), what);
}

test('two worker processes: 8 connections at once go 4/4; after the 4 of one close, the next 4 all go to it; gone workers get nothing', { timeout: 60_000 }, async () => {
  const config = parseConfig(
    `data_dir = "unused"\n${['smtp', 'submission', 'submissions', 'imaps', 'pop3', 'pop3s', 'managesieve', 'http', 'https'].map((n) => `[listeners.${n}]\nenabled = false\n`).join('')}[listeners.imap]\naddress = "127.0.0.1"\nport = 0\n`,
    null,
    process.cwd(),
  );
  const balancer = await startBalancer(config, pino({ level: 'silent' }));
  try {
    assert.deepEqual(
      balancer.listeners.map((l) => l.name),
      ['imap'],
    );
    const port = balancer.bound.imap!.port;
    cluster.setupPrimary({
      exec: new URL(`../../helpers/handoff-worker.${underTsx ? 'ts' : 'js'}`, import.meta.url).pathname,
      execArgv: underTsx ? ['--import', 'tsx'] : [],
    });
    for (let i = 0; i < 2; i++) {
      const w = cluster.fork({ LETTERBOX_LISTENERS: JSON.stringify(balancer.bound) });
      workers.push(w);
      w.on('message', (m: { t: string; n?: number }) => {
        if (m.t === 'listening') balancer.ready(w);
        else if (m.t === 'closed') balancer.closed(w, m.n!);
      });
    }
    // connections before start() wait, then are spread over both workers
    const early = connect(port);
    await until('both workers ready', () => balancer.open().length === 2);
    balancer.start();
    const [a, b] = workers.map((w) => w.process.pid!) as [number, number];

    const first = [await early, ...(await Promise.all(Array.from({ length: 7 }, () => connect(port))))];
    const on = (list: Array<{ pid: number }>, pid: number) => list.filter((c) => c.pid === pid).length;
    assert.deepEqual([on(first, a), on(first, b)], [4, 4]);
    assert.deepEqual(balancer.open(), [4, 4]);

    // the worker says when its connections close: the primary's counts follow
    for (const c of first.filter((c) => c.pid === a)) c.socket.write('bye\n');
    const sorted = () => [...balancer.open()].sort((x, y) => x - y);
    await until(`worker ${a}'s closes reach the primary`, () => sorted()[0] === 0);
    assert.deepEqual(sorted(), [0, 4]);
    const second = await Promise.all(Array.from({ length: 4 }, () => connect(port)));
    assert.deepEqual(
      second.map((c) => c.pid),
      [a, a, a, a],
    );

    // a worker that is gone gets nothing more
    balancer.gone(workers[0]!);
    const third = await Promise.all(Array.from({ length: 3 }, () => connect(port)));
    assert.deepEqual(
      third.map((c) => c.pid),
      [b, b, b],
    );
    for (const c of [...first, ...second, ...third]) c.socket.destroy();
  } finally {
    balancer.close();
  }
});
