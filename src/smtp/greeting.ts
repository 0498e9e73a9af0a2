/**
 * The 220 greeting leaves as soon as the connection is accepted.
 *
 * smtp-server holds every new connection for 100 ms before greeting it ("early talker"
 * detection, a fixed timer with no option to turn it off). With one message per
 * connection, as MTAs deliver, that timer was most of the time a message took: 20
 * parallel senders could not pass ~190 messages/s however idle the machine was. Postfix's
 * smtpd greets at once (its postscreen pause is a separate, optional service), and so do
 * we: connect() starts the connection the way smtp-server does, then runs its ready step
 * now and leaves the pending timer nothing to do. A client that talks before the greeting
 * still gets smtp-server's 421 (its input is refused until onConnect has answered).
 * Every data chunk read is also acknowledged at once (../net/quickack.ts).
 */
import type * as net from 'node:net';
import type * as tls from 'node:tls';
import { SMTPServer } from 'smtp-server';
import { promptAcker } from '../net/quickack.js';

interface ConnectionInternals {
  needsUpgrade: boolean;
  _ready: boolean;
  connectionReady(next?: () => void): void;
}

export class PromptSMTPServer extends SMTPServer {
  override connect(socket: net.Socket | tls.TLSSocket, socketOptions?: Parameters<SMTPServer['connect']>[1]): void {
    super.connect(socket, socketOptions);
    ackReads(socket);
    let last: unknown;
    for (const c of this.connections) last = c; // a Set iterates in insertion order: the one just made
    const conn = last as ConnectionInternals | undefined;
    // an upgrade still ahead (or a refusal already sent) runs smtp-server's own path
    if (!conn || conn.needsUpgrade || conn._ready || this.options.maxClients) return;
    const ready = conn.connectionReady;
    conn.connectionReady = () => {}; // what the 100 ms timer calls
    ready.call(conn);
  }
}

const acking = new WeakSet<net.Socket>();

/** acknowledges every chunk read from `socket` at once (called again for the TLS socket after STARTTLS) */
export function ackReads(socket: net.Socket): void {
  if (acking.has(socket)) return;
  acking.add(socket);
  socket.on('data', promptAcker(socket));
}
