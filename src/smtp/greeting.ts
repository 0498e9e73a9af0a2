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
 * A data chunk read is also acknowledged at once (../net/quickack.ts) unless the server will
 * answer it anyway (commandAnswered below): its reply carries the ACK, and the setsockopt
 * call per read was about 3% of the event loop with one message per connection.
 */
import type * as net from 'node:net';
import type * as tls from 'node:tls';
import { SMTPServer } from 'smtp-server';
import { promptAcker } from '../net/quickack.js';

/** smtp-server's SMTPStream (a Writable the socket is piped into) as the acknowledgement rule reads it; ./chunking.ts adds _lbChunk */
export interface ParserState {
  _dataMode: boolean;
  _remainder: string;
  _lbChunk?: unknown;
  /** bytes written to the parser whose processing has not finished (Writable) */
  writableLength: number;
}

interface ConnectionInternals {
  _parser: ParserState | false;
  _socket: unknown;
  needsUpgrade: boolean;
  _ready: boolean;
  connectionReady(next?: () => void): void;
}

export class PromptSMTPServer extends SMTPServer {
  override connect(socket: net.Socket | tls.TLSSocket, socketOptions?: Parameters<SMTPServer['connect']>[1]): void {
    super.connect(socket, socketOptions);
    let last: unknown;
    for (const c of this.connections) last = c; // a Set iterates in insertion order: the one just made
    const conn = last as ConnectionInternals | undefined;
    // the parser's state tells a command from message data only for plaintext read on this
    // socket: not before implicit TLS, nor once STARTTLS has put a TLS socket in its place
    const own = conn && conn._socket === socket && !conn.needsUpgrade ? conn : undefined;
    ackReads(socket, own && (() => (own._socket === socket ? own._parser : undefined)));
    // an upgrade still ahead (or a refusal already sent) runs smtp-server's own path
    if (!conn || conn.needsUpgrade || conn._ready || this.options.maxClients) return;
    const ready = conn.connectionReady;
    conn.connectionReady = () => {}; // what the 100 ms timer calls
    ready.call(conn);
  }
}

const acking = new WeakSet<net.Socket>();

/**
 * Acknowledges the chunks read from `socket` at once (called again for the TLS socket after
 * STARTTLS), except those `commandAnswered` says the server replies to. With `parser` (the
 * connection's SMTP parser; smtp-server pipes the socket into it before this listener is
 * added, so it has taken each chunk in when the rule looks) only chunks that may leave the
 * server holding data unanswered are acknowledged; without it, every chunk.
 */
export function ackReads(socket: net.Socket, parser?: () => ParserState | false | undefined): void {
  if (acking.has(socket)) return;
  acking.add(socket);
  const ack = promptAcker(socket);
  socket.on('data', parser ? (chunk: Buffer | string) => commandAnswered(chunk, parser()) || ack() : ack);
}

/**
 * True when the server will answer `chunk` without waiting for more bytes, read after the
 * parser took it in: one complete line, nothing written before it still waiting in the parser
 * (so the line was parsed now: a command, being answered or handled, or the end of a DATA or
 * BDAT transfer), and the parser back in command mode with no partial line. The reply carries
 * the acknowledgement, and a client that waits for replies holds nothing back meanwhile.
 * Everything else is acknowledged at once: message data (DATA or BDAT chunks), partial
 * lines, several lines, input queued behind a command still being handled, and a BDAT
 * command line, whose reply waits for its chunk's bytes (RFC 3030).
 */
export function commandAnswered(chunk: Buffer | string, parser: ParserState | false | undefined): boolean {
  if (!parser || parser._dataMode || parser._lbChunk || parser._remainder.length > 0 || typeof chunk === 'string') return false;
  const n = chunk.length;
  if (parser.writableLength !== 0 && parser.writableLength !== n) return false;
  if (n < 2 || chunk[n - 1] !== 0x0a || chunk.indexOf(0x0a) !== n - 1) return false;
  // "BDAT" in any case
  return !(n >= 4 && (chunk[0]! | 0x20) === 0x62 && (chunk[1]! | 0x20) === 0x64 && (chunk[2]! | 0x20) === 0x61 && (chunk[3]! | 0x20) === 0x74);
}
