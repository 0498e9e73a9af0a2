/**
 * CHUNKING and BINARYMIME (RFC 3030) for smtp-server, which has neither. smtp-server's
 * connection dispatches each command to a `handler_<NAME>` method and reads message bytes
 * through its SMTPStream parser, so this module adds, once per process:
 *  - `handler_BDAT` on the connection: `BDAT <size> [LAST]`; the next <size> octets are
 *    message data taken verbatim (no dot-stuffing). The first chunk of a transaction opens
 *    the same data stream DATA would and hands it to the server's onData hook, so size
 *    limits, the memory budget and delivery are exactly DATA's; each chunk is answered
 *    250 when read, the LAST one with onData's reply (250 only once stored).
 *  - a fixed-length mode in the parser (`_lbChunk`): bytes go to the chunk until <size>
 *    are read, then command parsing resumes with whatever follows (pipelined BDATs work);
 *  - `CHUNKING` and `BINARYMIME` in the EHLO reply, and `MAIL FROM:<..> BODY=BINARYMIME`
 *    accepted; such a transaction must use BDAT (DATA gets 503 5.5.1, RFC 3030 §3).
 * Errors: BDAT without RCPT 503 5.5.1; bad size 501 5.5.4; the chunk bytes are always read
 * (never parsed as commands) before the reply.
 */
import { PassThrough } from 'node:stream';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import { SMTPStream } from 'smtp-server/lib/smtp-stream.js';

type Callback = () => void;

interface ChunkState {
  left: number;
  /** receives the chunk's bytes as they arrive */
  sink: (buf: Buffer) => void;
  /** the chunk is complete; `resume` continues command parsing after the reply */
  end: (resume: Callback) => void;
}

interface Parser {
  _dataMode: boolean;
  _lbChunk?: ChunkState;
  _remainder: string;
  _feedDataStream(chunk: Buffer, done: (err?: Error) => void): void;
  _write(chunk: Buffer, encoding: string, done: (err?: Error) => void): void;
}

interface Transfer {
  stream: PassThrough & { byteLength: number; sizeExceeded: boolean };
  bytes: number;
  /** onData's answer, once it gave one */
  result?: { err?: Error & { responseCode?: number }; message?: string };
  waiting?: Callback;
}

interface Conn {
  session: { envelope: { rcptTo: unknown[]; mailFrom: unknown } };
  _parser: Parser | false;
  _server: { options: { size?: number }; onData(stream: PassThrough, session: unknown, cb: (err?: Error | null, message?: string) => void): void };
  _lbTransfer?: Transfer;
  _lbBinaryMime?: boolean;
  _transactionCounter: number;
  _unrecognizedCommands: number;
  send(code: number, data: string | string[], context?: string | false): void;
  _resetSession(): void;
}

let installed = false;

export function installChunking(): void {
  if (installed) return;
  installed = true;
  const proto = SMTPConnection.prototype as unknown as Record<string, unknown>;
  const parserProto = (SMTPStream as unknown as { prototype: Parser }).prototype;

  // fixed-length chunk mode in the parser, ahead of DATA's dot-terminated mode
  const feed = parserProto._feedDataStream;
  parserProto._feedDataStream = function (this: Parser, chunk: Buffer, done: (err?: Error) => void) {
    const c = this._lbChunk;
    if (!c) return feed.call(this, chunk, done);
    const take = Math.min(c.left, chunk.length);
    if (take) c.sink(chunk.subarray(0, take));
    c.left -= take;
    if (c.left > 0) return done();
    const rest = chunk.subarray(take);
    this._lbChunk = undefined;
    this._dataMode = false;
    this._remainder = '';
    c.end(() => (rest.length ? this._write(rest, 'buffer', done) : done()));
  };

  // EHLO: advertise CHUNKING and BINARYMIME next to smtp-server's own keywords
  const ehlo = proto.handler_EHLO as (this: Conn, command: Buffer, cb: Callback) => void;
  proto.handler_EHLO = function (this: Conn, command: Buffer, cb: Callback) {
    const send = this.send;
    this.send = (code, data, context) => {
      if (code === 250 && Array.isArray(data)) data = [...data, 'CHUNKING', 'BINARYMIME'];
      send.call(this, code, data, context);
    };
    try {
      ehlo.call(this, command, cb);
    } finally {
      this.send = send;
    }
  };

  // MAIL FROM: BODY=BINARYMIME is accepted and remembered for the transaction
  const mail = proto.handler_MAIL as (this: Conn, command: Buffer, cb: Callback) => void;
  proto.handler_MAIL = function (this: Conn, command: Buffer, cb: Callback) {
    const line = command.toString('binary');
    const binary = /\sBODY=BINARYMIME(?=\s|$)/i.test(line);
    this._lbBinaryMime = binary;
    mail.call(this, binary ? Buffer.from(line.replace(/\sBODY=BINARYMIME(?=\s|$)/i, ''), 'binary') : command, cb);
  };

  const data = proto.handler_DATA as (this: Conn, command: Buffer, cb: Callback) => void;
  proto.handler_DATA = function (this: Conn, command: Buffer, cb: Callback) {
    if (this._lbBinaryMime && this.session.envelope.mailFrom) {
      this.send(503, '5.5.1 BODY=BINARYMIME requires BDAT, not DATA', false);
      return cb();
    }
    if (this._lbTransfer) {
      this.send(503, '5.5.1 BDAT transfer in progress: send the rest with BDAT', false);
      return cb();
    }
    data.call(this, command, cb);
  };

  proto.handler_BDAT = function (this: Conn, command: Buffer, cb: Callback) {
    const m = /^BDAT\s+(\d{1,15})(\s+LAST)?\s*$/i.exec(command.toString('binary').trim());
    const parser = this._parser;
    if (!parser) return cb();
    if (!m) {
      // the size is unknown, so the bytes cannot be skipped: the client must start over (RFC 3030 §4.1)
      this.send(501, '5.5.4 Syntax: BDAT <size> [LAST]', false);
      return cb();
    }
    const size = Number(m[1]);
    const last = !!m[2];
    let refusal: [number, string] | null = null;
    if (!this.session.envelope.rcptTo.length) refusal = [503, '5.5.1 Error: need RCPT command'];
    let t = this._lbTransfer;
    if (!refusal && !t) t = this._lbTransfer = open(this);
    const max = Number(this._server.options.size) || Infinity;
    const chunk: ChunkState = {
      left: size,
      sink: (buf) => {
        if (refusal || !t) return;
        t.bytes += buf.length;
        t.stream.byteLength = t.bytes;
        if (t.bytes > max) t.stream.sizeExceeded = true;
        else if (t.stream.writable) t.stream.write(buf);
      },
      end: (resume) => {
        if (refusal || !t) {
          this.send(refusal?.[0] ?? 503, refusal?.[1] ?? '5.5.1 Error: no transaction', false);
          return resume();
        }
        if (!last) {
          this.send(250, `2.0.0 ${size} octets received`, false);
          return resume();
        }
        const transfer = t;
        t.stream.end();
        const finish = () => {
          this._lbTransfer = undefined;
          const r = transfer.result!;
          if (transfer.stream.sizeExceeded) this.send(552, 'Error: message exceeds fixed maximum message size ' + max, 'MESSAGE_TOO_BIG');
          else if (r.err) this.send(r.err.responseCode || 450, r.err.message);
          else this.send(250, r.message ?? 'OK: message queued', 'DATA_OK');
          this._transactionCounter++;
          this._unrecognizedCommands = 0;
          this._resetSession();
          this._lbBinaryMime = false;
          resume();
        };
        if (transfer.result) finish();
        else transfer.waiting = finish;
      },
    };
    // BDAT 0 LAST: nothing to read, the chunk is complete now
    if (size === 0) return chunk.end(cb);
    parser._dataMode = true;
    parser._lbChunk = chunk;
    cb();
  };

  // RSET and a new EHLO drop a half-sent BDAT transfer
  for (const name of ['handler_RSET', 'handler_EHLO', 'handler_HELO']) {
    const original = proto[name] as (this: Conn, command: Buffer, cb: Callback) => void;
    proto[name] = function (this: Conn, command: Buffer, cb: Callback) {
      abort(this);
      original.call(this, command, cb);
    };
  }
}

function open(conn: Conn): Transfer {
  const stream = new PassThrough() as Transfer['stream'];
  stream.byteLength = 0;
  stream.sizeExceeded = false;
  const t: Transfer = { stream, bytes: 0 };
  conn._server.onData(stream, conn.session, (err, message) => {
    t.result = { err: err ?? undefined, message };
    // a handler that answers before reading everything: drain the rest
    if (stream.readableFlowing === null) stream.resume();
    const w = t.waiting;
    t.waiting = undefined;
    w?.();
  });
  return t;
}

function abort(conn: Conn): void {
  const t = conn._lbTransfer;
  if (!t) return;
  conn._lbTransfer = undefined;
  t.stream.sizeExceeded = true; // onData treats it as refused; nothing is stored
  t.stream.end();
}

