/**
 * The outbound SMTP client: nodemailer's SMTPConnection, promisified. Opportunistic
 * STARTTLS (RFC 3207; certificates are not verified, as with most MTAs without DANE or
 * MTA-STS), EHLO with our hostname, several messages per connection.
 */
import SMTPConnection from 'nodemailer/lib/smtp-connection';

export interface SendOutcome {
  accepted: string[];
  /** per-recipient refusals: the full reply line and whether it was permanent (5xx) */
  rejected: Array<{ rcpt: string; reply: string; permanent: boolean }>;
  /** reply to the end of DATA */
  response: string;
}

/** an SMTP reply that applies to the whole message (MAIL FROM, DATA, end of data) */
export class TransactionError extends Error {
  constructor(
    readonly reply: string,
    readonly permanent: boolean,
    /** the connection is unusable afterwards */
    readonly connectionLost: boolean,
  ) {
    super(reply);
  }
}

type SmtpErr = Error & { code?: string; response?: string; responseCode?: number; command?: string; recipient?: string; rejectedErrors?: SmtpErr[] };

export class OutboundConnection {
  private readonly conn: SMTPConnection;
  closed = false;
  secure = false;

  constructor(
    readonly host: string,
    readonly address: string,
    readonly port: number,
    hostname: string,
    timeoutMs: number,
  ) {
    this.conn = new SMTPConnection({
      host: address,
      port,
      name: hostname,
      opportunisticTLS: true,
      tls: { rejectUnauthorized: false, servername: isName(host) ? host : undefined },
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs * 4,
      logger: false,
    });
    this.conn.on('error', () => {
      this.closed = true;
    });
    this.conn.on('end', () => {
      this.closed = true;
    });
  }

  /** nodemailer reports connection failures as 'error' events, not through the connect callback */
  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (err: Error) => {
        this.closed = true;
        if (settled) return;
        settled = true;
        reject(err);
      };
      this.conn.once('error', fail);
      this.conn.once('end', () => fail(new Error('connection closed before the greeting')));
      this.conn.connect((err?: SmtpErr) => {
        if (err) return fail(err);
        if (settled) return;
        settled = true;
        this.secure = this.conn.secure;
        resolve();
      });
    });
  }

  /** sends one message; per-recipient refusals are results, whole-message failures throw TransactionError */
  send(from: string, to: string[], raw: Buffer): Promise<SendOutcome> {
    return new Promise((resolve, reject) => {
      // a dropped connection may surface only as an 'error'/'end' event, never as the callback
      let settled = false;
      const lost = (err?: Error) => {
        this.closed = true;
        if (settled) return;
        settled = true;
        reject(new TransactionError(err?.message ?? 'connection closed', false, true));
      };
      const onError = (err: Error) => lost(err);
      const onEnd = () => lost();
      this.conn.once('error', onError);
      this.conn.once('end', onEnd);
      this.conn.send({ from, to, size: raw.length, use8BitMime: has8bit(raw) }, raw, (err, info) => {
        this.conn.off('error', onError);
        this.conn.off('end', onEnd);
        if (settled) return;
        settled = true;
        if (!err) {
          const rejected = ((info as { rejectedErrors?: SmtpErr[] }).rejectedErrors ?? []).map(rcptFailure);
          return resolve({ accepted: info.accepted.map(String), rejected, response: info.response });
        }
        const e = err as SmtpErr;
        if (e.code === 'EENVELOPE' && e.command === 'RCPT TO' && e.rejectedErrors?.length) {
          return resolve({ accepted: [], rejected: e.rejectedErrors.map(rcptFailure), response: e.response ?? '' });
        }
        const reply = e.response ?? e.message;
        const lost = !e.responseCode || this.conn.destroyed || this.closed;
        if (lost) this.closed = true;
        reject(new TransactionError(reply, !!e.responseCode && e.responseCode >= 500, lost));
      });
    });
  }

  reset(): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed) return resolve();
      this.conn.reset((err) => {
        if (err) this.closed = true;
        resolve();
      });
    });
  }

  quit(): void {
    if (!this.closed) this.conn.quit();
    this.closed = true;
  }
}

function rcptFailure(e: SmtpErr): { rcpt: string; reply: string; permanent: boolean } {
  return { rcpt: String(e.recipient ?? ''), reply: e.response ?? e.message, permanent: (e.responseCode ?? 400) >= 500 };
}

function has8bit(raw: Buffer): boolean {
  for (const b of raw) if (b > 0x7f) return true;
  return false;
}

function isName(host: string): boolean {
  return /[a-z]/i.test(host) && !host.includes(':');
}
