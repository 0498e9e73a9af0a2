/**
 * rspamd over its HTTP protocol (the normal worker's POST /checkv2, as rspamd's own proxy
 * and milter clients use it): the message body with the envelope in request headers (IP,
 * Helo, From, Rcpt, Hostname, Queue-Id), JSON back with `action`, `score`,
 * `required_score` and `symbols`.
 *
 * Actions map to: reject → 550 5.7.1; soft reject (and greylist) → 451 4.7.1; rewrite
 * subject → Junk with the new Subject; add header → Junk; no action → delivered normally.
 * rspamd unreachable, too slow (spam.rspamd.timeout_ms) or answering garbage: with
 * on_failure = "open" the message is delivered unfiltered (and a warning logged), with
 * "closed" it is refused with 451 4.7.1 so the sender retries.
 */
import { request } from 'node:http';
import { request as requestTls } from 'node:https';
import type { Verdict } from './verdict.js';

export interface RspamdConfig {
  url: string;
  password: string;
  timeout_ms: number;
}

export interface RspamdEnvelope {
  ip: string;
  helo: string;
  from: string;
  rcpt: string[];
  hostname?: string;
  queueId?: string;
  user?: string;
}

export type RspamdAction = 'reject' | 'soft reject' | 'rewrite subject' | 'add header' | 'greylist' | 'no action';

export interface RspamdResult {
  action: RspamdAction;
  score: number;
  requiredScore: number;
  symbols: string[];
  subject?: string;
  /** rspamd's own text for the SMTP reply, when it has one */
  message?: string;
}

export type RspamdOutcome =
  | { kind: 'deliver'; verdict: Verdict; result: RspamdResult }
  | { kind: 'reject'; result: RspamdResult }
  | { kind: 'defer'; result: RspamdResult };

const ACTIONS: RspamdAction[] = ['reject', 'soft reject', 'rewrite subject', 'add header', 'greylist', 'no action'];

export class RspamdError extends Error {
  override name = 'RspamdError';
}

/** one scan; throws RspamdError when rspamd cannot give an answer */
export function rspamdCheck(cfg: RspamdConfig, raw: Buffer, env: RspamdEnvelope): Promise<RspamdResult> {
  const url = new URL('/checkv2', cfg.url);
  const headers: Record<string, string | string[]> = {
    'Content-Length': String(raw.length),
    IP: env.ip,
    From: env.from || '<>',
    Rcpt: env.rcpt,
  };
  if (env.helo) headers.Helo = env.helo;
  if (env.hostname) headers.Hostname = env.hostname;
  if (env.queueId) headers['Queue-Id'] = env.queueId;
  if (env.user) headers.User = env.user;
  if (cfg.password) headers.Password = cfg.password;
  const send = url.protocol === 'https:' ? requestTls : request;
  return new Promise((resolve, reject) => {
    const req = send(url, { method: 'POST', headers, timeout: cfg.timeout_ms }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e) => reject(new RspamdError(`rspamd at ${cfg.url}: ${e.message}`)));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new RspamdError(`rspamd at ${cfg.url} answered HTTP ${res.statusCode}`));
        try {
          resolve(parseResult(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
        } catch (e) {
          reject(new RspamdError(`rspamd at ${cfg.url} sent an answer letterbox cannot read: ${(e as Error).message}`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new RspamdError(`rspamd at ${cfg.url} did not answer within ${cfg.timeout_ms} ms (spam.rspamd.timeout_ms)`)));
    req.on('error', (e) => reject(e instanceof RspamdError ? e : new RspamdError(`rspamd at ${cfg.url}: ${e.message}`)));
    req.end(raw);
  });
}

export function parseResult(j: unknown): RspamdResult {
  const o = j as { action?: unknown; score?: unknown; required_score?: unknown; symbols?: unknown; subject?: unknown; messages?: { smtp_message?: unknown } };
  if (typeof o !== 'object' || o === null) throw new Error('not a JSON object');
  const action = ACTIONS.find((a) => a === o.action);
  if (!action) throw new Error(`unknown action ${JSON.stringify(o.action)}`);
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return {
    action,
    score: num(o.score),
    requiredScore: num(o.required_score),
    symbols: o.symbols && typeof o.symbols === 'object' ? Object.keys(o.symbols).sort() : [],
    subject: typeof o.subject === 'string' ? o.subject : undefined,
    message: typeof o.messages?.smtp_message === 'string' ? o.messages.smtp_message : undefined,
  };
}

/** what letterbox does with rspamd's answer */
export function rspamdOutcome(result: RspamdResult): RspamdOutcome {
  switch (result.action) {
    case 'reject':
      return { kind: 'reject', result };
    case 'soft reject':
    case 'greylist':
      return { kind: 'defer', result };
    default: {
      const junk = result.action === 'add header' || result.action === 'rewrite subject';
      const verdict: Verdict = {
        junk,
        spamScore: result.score,
        spamThreshold: result.requiredScore || undefined,
        reasons: ['rspamd', ...result.symbols.slice(0, 20)],
        subject: result.action === 'rewrite subject' ? result.subject : undefined,
      };
      return { kind: 'deliver', verdict, result };
    }
  }
}
