/**
 * The outbound SMTP client: nodemailer's SMTPConnection, promisified. STARTTLS (RFC 3207)
 * opportunistically by default, certificates not verified (as every MTA does without a
 * policy); when the destination has an MTA-STS or DANE policy (./tls-policy.ts) TLS is
 * required and, for MTA-STS, the certificate must be valid for the MX host name (WebPKI, or
 * the `ca` given). EHLO with our hostname, several messages per connection.
 */
import { checkServerIdentity, type TLSSocket, type PeerCertificate } from 'node:tls';
import { X509Certificate } from 'node:crypto';
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
    /** require STARTTLS; verify the certificate against the host name (with these CAs instead of the system's) */
    tlsPolicy: { require: boolean; verify: boolean; ca?: string[] } = { require: false, verify: false },
  ) {
    this.conn = new SMTPConnection({
      host: address,
      port,
      name: hostname,
      opportunisticTLS: !tlsPolicy.require,
      requireTLS: tlsPolicy.require,
      tls: { rejectUnauthorized: tlsPolicy.verify, servername: isName(host) ? host : undefined, ...(tlsPolicy.ca ? { ca: tlsPolicy.ca } : {}) },
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

  /** the TLS socket once STARTTLS is done */
  private tlsSocket(): TLSSocket | null {
    const s = (this.conn as unknown as { _socket?: TLSSocket })._socket;
    return s && typeof s.getPeerCertificate === 'function' ? s : null;
  }

  /** the server's certificate chain (DANE checks it against TLSA records) */
  peerCertificate(): PeerCertificate | null {
    const s = this.tlsSocket();
    const c = s?.getPeerCertificate(true);
    return c && Object.keys(c).length ? c : null;
  }

  /**
   * Why the certificate would not pass verification against the host name (WebPKI or the
   * `ca` given), or null when it would; for policies in "testing" mode, which report
   * failures but deliver anyway. "no TLS" when STARTTLS was not used.
   */
  verificationError(ca?: string[]): Error | null {
    const s = this.tlsSocket();
    if (!s) return Object.assign(new Error('STARTTLS not offered or not used'), { code: 'ETLS' });
    if (!ca && !s.authorized) return Object.assign(new Error(String(s.authorizationError ?? 'certificate not trusted')), { code: String(s.authorizationError ?? '') });
    const cert = s.getPeerCertificate(true);
    if (ca) {
      // verify the chain against the given CAs: a throwaway check with node's own verifier
      const x = new X509Certificate(cert.raw);
      const issuers = ca.map((p) => new X509Certificate(p));
      const chainOk = issuers.some((i) => x.checkIssued(i) && x.verify(i.publicKey));
      if (!chainOk) return Object.assign(new Error('certificate not issued by a trusted CA'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    }
    return checkServerIdentity(this.host, cert) ?? null;
  }

  /** the server advertised this EHLO keyword (DSN, REQUIRETLS, ...) */
  supports(keyword: string): boolean {
    return ((this.conn as unknown as { _supportedExtensions?: string[] })._supportedExtensions ?? []).includes(keyword);
  }

  /**
   * sends one message; per-recipient refusals are results, whole-message failures throw
   * TransactionError. `dsn` parameters go out only when the server offers DSN (RFC 3461 §4).
   */
  send(
    from: string,
    to: string[],
    raw: Buffer,
    opts: { dsn?: { ret?: string; envid?: string; notify?: string[]; orcpt?: string }; requireTls?: boolean } = {},
  ): Promise<SendOutcome> {
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
      const envelope = { from, to, size: raw.length, use8BitMime: has8bit(raw), dsn: opts.dsn, requireTLSExtensionEnabled: opts.requireTls };
      this.conn.send(envelope as Parameters<SMTPConnection['send']>[0], raw, (err, info) => {
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
