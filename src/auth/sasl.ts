/**
 * SASL mechanisms (RFC 4422) shared by IMAP AUTHENTICATE (RFC 9051 §6.2.2), POP3 AUTH
 * (RFC 5034) and anything else that transports base64 lines. Pure: no I/O, no password
 * check — the protocol hands the final credentials to Authenticator.login.
 *
 * Initial responses (SASL-IR, RFC 4959 §3; RFC 5034 §4): "=" stands for a zero-length
 * response. A client line "*" cancels the exchange (RFC 4422 §3.5); protocols usually
 * catch it themselves, but next("*") answers an error step as well.
 */
import type { SaslExchange, SaslStep } from './types.js';

export const SASL_MECHANISMS = ['PLAIN', 'LOGIN'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** strict base64 → UTF-8 text; null when either layer is malformed */
export function decodeBase64Utf8(data: string): string | null {
  const s = data.trim();
  if (!BASE64.test(s)) return null;
  try {
    return utf8.decode(Buffer.from(s, 'base64'));
  } catch {
    return null;
  }
}

export const encodeBase64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

const error = (message: string): SaslStep => ({ type: 'error', message });
const cancelled = (response: string) => response.trim() === '*';

/** decodes an initial response, where "=" means empty (RFC 4959 §3) */
function decodeInitial(ir: string): string | null {
  return ir.trim() === '=' ? '' : decodeBase64Utf8(ir);
}

/**
 * PLAIN, RFC 4616 §2:  message = [authzid] UTF8NUL authcid UTF8NUL passwd
 * The server sends an empty challenge when the client gave no initial response.
 * An authzid other than the authcid (proxy authorization) is refused for now.
 */
function plain(): SaslExchange {
  let finished = false;
  const handle = (message: string | null): SaslStep => {
    finished = true;
    if (message === null) return error('invalid base64 or UTF-8 in PLAIN response');
    const parts = message.split('\0');
    if (parts.length !== 3) return error('PLAIN response must be authzid NUL authcid NUL password');
    const [authzid, authcid, password] = parts as [string, string, string];
    if (authcid === '' || password === '') return error('PLAIN response has an empty user name or password');
    // RFC 4616 §2: authcid and passwd are 1*SAFE (at most 255 octets each)
    if (Buffer.byteLength(authcid) > 255 || Buffer.byteLength(password) > 255) {
      return error('PLAIN user name or password longer than 255 octets');
    }
    if (authzid !== '' && authzid !== authcid) return error('authorization identity other than the login name is not supported');
    return { type: 'done', authzid, authcid, password };
  };
  let started = false;
  return {
    start(ir) {
      started = true;
      if (ir === undefined) return { type: 'challenge', data: '' };
      return handle(decodeInitial(ir));
    },
    next(response) {
      if (!started || finished) return error('unexpected response: the exchange is not waiting for one');
      if (cancelled(response)) return (finished = true), error('authentication cancelled by the client');
      return handle(decodeBase64Utf8(response));
    },
  };
}

/**
 * LOGIN (draft-murchison-sasl-login-00): the server prompts "Username:" then "Password:",
 * each base64-encoded; the client answers each with one base64 line. An initial response
 * carries the user name.
 */
function login(): SaslExchange {
  let state: 'new' | 'user' | 'pass' | 'done' = 'new';
  let username = '';
  const USER = encodeBase64('Username:');
  const PASS = encodeBase64('Password:');
  const takeUser = (value: string | null): SaslStep => {
    if (value === null) return (state = 'done'), error('invalid base64 or UTF-8 in LOGIN user name');
    if (value === '') return (state = 'done'), error('empty LOGIN user name');
    username = value;
    state = 'pass';
    return { type: 'challenge', data: PASS };
  };
  return {
    start(ir) {
      if (ir === undefined) {
        state = 'user';
        return { type: 'challenge', data: USER };
      }
      return takeUser(decodeInitial(ir));
    },
    next(response) {
      if (state === 'new' || state === 'done') return error('unexpected response: the exchange is not waiting for one');
      if (cancelled(response)) return (state = 'done'), error('authentication cancelled by the client');
      if (state === 'user') return takeUser(decodeBase64Utf8(response));
      state = 'done';
      const password = decodeBase64Utf8(response);
      if (password === null) return error('invalid base64 or UTF-8 in LOGIN password');
      if (password === '') return error('empty LOGIN password');
      return { type: 'done', authzid: '', authcid: username, password };
    },
  };
}

/** a new exchange for the mechanism (case-insensitive), or null when it is not offered */
export function createSasl(mechanism: string): SaslExchange | null {
  switch (mechanism.toUpperCase()) {
    case 'PLAIN':
      return plain();
    case 'LOGIN':
      return login();
    default:
      return null;
  }
}
