/**
 * Authentication shared by IMAP, POP3, SMTP, ManageSieve and the web pages: one password
 * check with throttling (./authenticator.ts) and one SASL layer (./sasl.ts) whose mechanisms
 * (PLAIN, LOGIN) each protocol only transports (IMAP AUTHENTICATE, POP3 AUTH, ManageSieve
 * AUTHENTICATE; SMTP uses smtp-server's own AUTH framing and calls Authenticator.login).
 */
import type { Account } from '../store/types.js';

export type AuthFailure = 'invalid' | 'throttled' | 'temp';

/** what a credential may be used for (app passwords name a subset) */
export type AuthProtocol = 'imap' | 'pop3' | 'smtp' | 'managesieve' | 'web';

/** which secret proved the login: the account password or one app password */
export type Credential = { kind: 'password' } | { kind: 'app'; id: string; name: string };

export interface LoginOptions {
  /** the protocol asking; app passwords are accepted only when it is given and allowed for them */
  protocol?: AuthProtocol;
  /** what the client calls itself (IMAP ID, EHLO name, browser), for the devices list; ManageSieve and POP3 clients do not say */
  client?: string | null;
}

export type AuthResult =
  | { ok: true; account: Account; credential: Credential; /** key of the device entry (./devices.ts) */ device?: string }
  | { ok: false; reason: AuthFailure };

export interface Authenticator {
  /**
   * Verifies a login name (full address) and password with argon2id. Counts failures per
   * IP and per account and answers `throttled` (without checking the password) once a
   * limit is reached within the window. Never logs the password.
   */
  login(username: string, password: string, remoteIp: string, opts?: LoginOptions): Promise<AuthResult>;
  /** the client named itself after login (IMAP ID): updates the device entry */
  identify(accountId: number, device: string, client: string): Promise<void>;
  /** argon2id PHC string for a new password (used by the CLI) */
  hashPassword(password: string): Promise<string>;
}

/** One step of a SASL exchange (RFC 4422). Data is base64 as it travels on the wire. */
export type SaslStep =
  | { type: 'challenge'; data: string }
  | { type: 'done'; authzid: string; authcid: string; password: string }
  | { type: 'error'; message: string };

export interface SaslExchange {
  /** initialResponse: base64 as sent by SASL-IR / AUTH with initial response ("=" means empty), or undefined */
  start(initialResponse?: string): SaslStep;
  /** the client's next line (base64) */
  next(response: string): SaslStep;
}
