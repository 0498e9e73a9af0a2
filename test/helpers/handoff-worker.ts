/**
 * A worker process for test/unit/net/balancer.test.ts: takes the connections its primary
 * hands over for listener "imap" (src/net/handoff.ts), greets each with its pid, and ends a
 * connection when the client sends "bye".
 */
import * as net from 'node:net';
import { workerConnections, type BoundListener, type HandedConnection } from '../../src/net/handoff.js';

const bound = JSON.parse(process.env.LETTERBOX_LISTENERS ?? '{}') as Record<string, BoundListener>;
const conns = workerConnections(bound, (m) => process.send!(m));
const server = net.createServer((s) => {
  s.on('error', () => s.destroy());
  s.write(`pid ${process.pid}\n`);
  s.on('data', (d) => {
    if (d.toString().includes('bye')) s.end();
  });
});
if (!conns.attach('imap', server, { noDelay: true })) throw new Error('the primary does not listen for imap');
process.on('message', (m: HandedConnection, socket?: net.Socket) => {
  if (m.t === 'conn' && socket) conns.deliver(m.listener, socket);
});
process.send!({ t: 'listening' });
