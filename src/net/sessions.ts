/**
 * The registry of live sessions (ServerContext.sessions): every IMAP, POP3, submission
 * and ManageSieve connection registers when it starts and unregisters when it ends, so
 * the server can say who is connected to an account and end those sessions.
 *
 * Ending sessions of an account:
 *  - closeAccount() here (the admin API, the web UI: "sign out everywhere", revoking one
 *    app password = closing the sessions that used that credential);
 *  - on its own, when the store reports an `account` change for an account with live
 *    sessions: `removed` (letterbox user remove) and `password` (letterbox user passwd, or
 *    a change made in this process) end every session of the account except the one the
 *    change names as its origin; `credential-revoked` ends the sessions of that credential.
 *    The change comes through the store's change bus, so a change made by the CLI in
 *    another process arrives too (SQLite: the change log the watcher polls while anyone
 *    subscribes; the registry holds one subscription per account with live sessions).
 *
 * A session learns of its closing only through the `close(reason)` function it registered;
 * it says goodbye in its own protocol (IMAP BYE, POP3 -ERR, SMTP 421) and unregisters.
 */
import type { Logger } from 'pino';
import type { Account, AccountId, Change, Store } from '../store/types.js';

export type SessionProtocol = 'imap' | 'pop3' | 'submission' | 'managesieve';

/** the account password, or the id of the app password a session logged in with */
export type CredentialRef = string;
export const PASSWORD_CREDENTIAL: CredentialRef = 'password';

/** What the registry tells about one session (a snapshot: plain data). */
export interface SessionInfo {
  id: string;
  protocol: SessionProtocol;
  /** listener name (imap, imaps, submission, ...) */
  listener: string;
  remoteAddress: string;
  accountId: AccountId | null;
  /** the account's address, once authenticated */
  user: string | null;
  /** what the client calls itself: IMAP ID name/version, the submission EHLO name */
  clientName: string | null;
  /** how the session authenticated; null before login */
  credential: CredentialRef | null;
  startedAt: Date;
  lastActiveAt: Date;
}

/** What a session holds to keep its entry current. */
export interface SessionHandle {
  readonly id: string;
  /**
   * after a successful login; later account changes close the session. The account is
   * looked up once more right after (a removal or password change made while the login
   * was being verified closes the session too).
   */
  authenticated(account: Account, credential?: CredentialRef): void;
  /**
   * the session left its login but stays connected (IMAP UNAUTHENTICATE, RFC 8437): it is
   * no longer listed under the account, and that account's changes no longer close it
   */
  unauthenticated(): void;
  /** the client named itself (IMAP ID, EHLO) */
  setClientName(name: string): void;
  /** a command arrived */
  touch(): void;
  /** the session ended (idempotent) */
  end(): void;
}

export interface CloseOptions {
  /** told to the client and logged */
  reason: string;
  /** this session stays open (the one that asked, e.g. the web session changing the password) */
  except?: string;
  /** only the sessions that logged in with this credential */
  credential?: CredentialRef;
  /** only the sessions of this protocol from this address (one device, as the web UI lists it) */
  device?: { protocol: SessionProtocol; remoteAddress: string };
}

export interface SessionRegistry {
  register(
    init: { id: string; protocol: SessionProtocol; listener: string; remoteAddress: string },
    close: (reason: string) => void,
  ): SessionHandle;
  /** live sessions, of one account or of all; oldest first */
  list(accountId?: AccountId): SessionInfo[];
  /** ends the matching sessions of an account; returns how many were told to close */
  closeAccount(accountId: AccountId, opts: CloseOptions): number;
  /** number of registered sessions (tests, metrics) */
  readonly size: number;
}

interface Entry {
  info: SessionInfo;
  close: (reason: string) => void;
  /** counts logins (and logouts) of the session: a recheck of an earlier login is void */
  login: number;
}

export function createSessionRegistry(store: Pick<Store, 'bus' | 'getAccountById'>, log: Logger): SessionRegistry {
  const all = new Map<string, Entry>();
  const byAccount = new Map<AccountId, { entries: Set<Entry>; unsubscribe: () => void }>();
  const slog = log.child({ component: 'sessions' });

  function detach(e: Entry): void {
    const id = e.info.accountId;
    if (id === null) return;
    const group = byAccount.get(id);
    if (!group) return;
    group.entries.delete(e);
    if (group.entries.size === 0) {
      byAccount.delete(id);
      group.unsubscribe();
    }
  }

  function onChanges(accountId: AccountId, changes: Change[]): void {
    for (const c of changes) {
      if (c.kind !== 'account') continue;
      if (c.event === 'removed') closeAccount(accountId, { reason: 'account removed', except: c.origin });
      else if (c.event === 'password') closeAccount(accountId, { reason: 'password changed', except: c.origin });
      else if (c.event === 'credential-revoked' && c.credential)
        closeAccount(accountId, { reason: 'credential revoked', credential: c.credential, except: c.origin });
    }
  }

  /** the account as it is now, against what the login saw (subscribed first, so nothing falls between) */
  async function recheck(e: Entry, seen: Account): Promise<void> {
    const login = e.login;
    let now: Account | null;
    try {
      now = await store.getAccountById(seen.id);
    } catch {
      return; // store trouble: the change bus still covers later changes
    }
    if (all.get(e.info.id) !== e || e.login !== login) return;
    const reason = !now ? 'account removed' : e.info.credential === PASSWORD_CREDENTIAL && now.passwordHash !== seen.passwordHash ? 'password changed' : null;
    if (reason) closeOne(e, reason);
  }

  function closeOne(e: Entry, reason: string): void {
    slog.info(
      { session: e.info.id, proto: e.info.protocol, user: e.info.user, ip: e.info.remoteAddress, reason },
      `ending ${e.info.protocol} session ${e.info.id} of ${e.info.user} from ${e.info.remoteAddress}: ${reason}`,
    );
    // unregister first: a close() that throws or never calls end() must not leave a live entry
    all.delete(e.info.id);
    detach(e);
    try {
      e.close(reason);
    } catch (err) {
      slog.error({ session: e.info.id, err: (err as Error).message }, 'closing a session failed');
    }
  }

  function closeAccount(accountId: AccountId, opts: CloseOptions): number {
    const group = byAccount.get(accountId);
    if (!group) return 0;
    const victims = [...group.entries].filter(
      (e) =>
        e.info.id !== opts.except &&
        (opts.credential === undefined || e.info.credential === opts.credential) &&
        (opts.device === undefined || (e.info.protocol === opts.device.protocol && e.info.remoteAddress === opts.device.remoteAddress)),
    );
    for (const e of victims) closeOne(e, opts.reason);
    return victims.length;
  }

  return {
    register(init, close) {
      const now = new Date();
      const info: SessionInfo = {
        ...init,
        accountId: null,
        user: null,
        clientName: null,
        credential: null,
        startedAt: now,
        lastActiveAt: now,
      };
      const entry: Entry = { info, close, login: 0 };
      all.set(info.id, entry);
      return {
        id: info.id,
        authenticated(account, credential = PASSWORD_CREDENTIAL) {
          if (all.get(info.id) !== entry) return; // already closed
          detach(entry);
          entry.login++;
          info.accountId = account.id;
          info.user = account.address;
          info.credential = credential;
          let group = byAccount.get(account.id);
          if (!group) {
            const id = account.id;
            const unsubscribe = store.bus.subscribe(id, (changes) => onChanges(id, changes));
            byAccount.set(id, (group = { entries: new Set(), unsubscribe }));
          }
          group.entries.add(entry);
          void recheck(entry, account);
        },
        unauthenticated() {
          if (all.get(info.id) !== entry) return;
          detach(entry);
          entry.login++;
          info.accountId = null;
          info.user = null;
          info.credential = null;
        },
        setClientName(name) {
          // printable ASCII only (it reaches logs and the web UI), bounded
          info.clientName = name.replace(/[^\x20-\x7e]/g, '?').slice(0, 200) || null;
        },
        touch() {
          info.lastActiveAt = new Date();
        },
        end() {
          if (all.get(info.id) !== entry) return;
          all.delete(info.id);
          detach(entry);
        },
      };
    },
    list(accountId) {
      const entries = accountId === undefined ? [...all.values()] : [...(byAccount.get(accountId)?.entries ?? [])];
      return entries.map((e) => ({ ...e.info })).sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
    },
    closeAccount,
    get size() {
      return all.size;
    },
  };
}
