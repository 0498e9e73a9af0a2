/**
 * SMTP listeners on smtp-server: "smtp" (port 25, inbound for our domains) and
 * "submission"/"submissions" (587 STARTTLS, 465 implicit TLS per RFC 8314), all sharing
 * one set of hooks that differ by mode. smtp-server parses the protocol; the hooks here
 * decide policy and call the store.
 *
 * Invariants:
 *  - port 25 never relays: RCPT is accepted only for our domains (./inbound/rcpt.ts);
 *  - submission requires AUTH, and AUTH only inside TLS unless config.auth.plaintext_allowed_from
 *    lists the client; MAIL FROM and From: must be owned by the account (./core/owner.ts);
 *  - 250 after DATA only once every local copy is committed to the store;
 *  - replies chosen here come from ./core/errors.ts (one table, one StoreError mapping);
 *  - logs carry envelope metadata only: never bodies or passwords.
 */
import { credentialId } from '../auth/devices.js';
import type * as net from 'node:net';
import { join } from 'node:path';
import type { SMTPServerOptions, SMTPServerSession } from 'smtp-server';
import { PromptSMTPServer, ackReads } from './greeting.js';
import type { ServerContext } from '../context.js';
import type { RunningListener } from '../net/types.js';
import type { TlsMode } from '../config/schema.js';
import { plaintextAllowed } from '../auth/policy.js';
import { clientKey, normaliseIp } from '../net/address.js';
import { resolverFor, type DnsResolver } from './core/dns.js';
import { Replies, fail, installEnhancedCodes, storeErrorReply, type SmtpReplyError } from './core/errors.js';
import { installChunking } from './chunking.js';
import { ConnectionCounter } from './limits.js';
import { sharedCounter } from '../store/rate.js';
import { MemoryBudget, readMessage, Spool } from './read.js';
import { sessionState, transaction, type SessionState } from './core/session.js';
import { PASSWORD_CREDENTIAL } from '../net/sessions.js';
import type { Account } from '../store/types.js';
import { resolveInboundRecipient } from './inbound/rcpt.js';
import { deliverInbound } from './inbound/data.js';
import { dnsblListed, greylistPasses, ptrFindings } from './inbound/checks.js';
import { deliverSubmission } from './submission/data.js';
import { ownsAddress } from './core/owner.js';

export type SmtpListenerName = 'smtp' | 'submission' | 'submissions';

export interface SmtpOptions {
  /** DNS for SPF/DKIM/DMARC; defaults to ./dns.ts getResolver() at the time of use */
  resolver?: DnsResolver;
  /** bytes of messages being stored at once, across the listeners of a context (default 8 × limits.message_size) */
  memoryBudgetBytes?: number;
}

/** the DATA spool and the memory budget of messages being stored, shared by every SMTP listener of a context (./read.ts) */
const spools = new WeakMap<ServerContext, Spool>();

/** the spool of a context once an SMTP listener started (tests, metrics: bytes held, files, budget) */
export function smtpSpool(ctx: ServerContext): Spool | undefined {
  return spools.get(ctx);
}

export async function startSmtp(
  ctx: ServerContext,
  name: SmtpListenerName,
  listener: { address: string; port: number; tls: TlsMode },
  opts: SmtpOptions = {},
): Promise<RunningListener> {
  installEnhancedCodes();
  installChunking(); // CHUNKING/BDAT and BINARYMIME (RFC 3030), ./chunking.ts
  const { config } = ctx;
  const inbound = name === 'smtp';
  const log = ctx.log.child({ listener: name });
  const resolver: DnsResolver = (n, t) => (opts.resolver ?? resolverFor(ctx.config))(n, t);
  const conns = new ConnectionCounter(config.limits.connections_per_ip);
  /** connections counted on this listener (limits.connections_per_listener) */
  let open = 0;
  // shared by every process and node on the store (src/store/rate.ts)
  // never reset: each remembers its settled slices (src/store/rate.ts)
  const ipMinute = sharedCounter(ctx.store, 'smtp.rate.ip', 60_000, undefined, { settled: true });
  const perAccount = sharedCounter(ctx.store, 'smtp.rate.account', 3_600_000, undefined, { settled: true });
  let spool = spools.get(ctx);
  if (!spool) {
    spool = Spool.create(join(config.data_dir, 'spool'), new MemoryBudget(opts.memoryBudgetBytes ?? 8 * config.limits.message_size));
    spools.set(ctx, spool);
  }
  const budget = spool.budget;
  const startTls = listener.tls === 'starttls';
  const insecureAuthSomewhere = config.auth.plaintext_allowed_from.length > 0;
  const proto = inbound ? 'smtp' : 'submission';
  /** wraps a hook's callback so the command's reply class and latency reach ctx.metrics */
  const measured = <A extends unknown[]>(command: string, callback: (err?: Error | null, ...rest: A) => void) => {
    const metrics = ctx.metrics;
    if (!metrics) return callback;
    const started = performance.now();
    return (err?: Error | null, ...rest: A) => {
      const code = (err as { responseCode?: number } | null | undefined)?.responseCode;
      metrics.command(proto, command, err ? (code ? `${Math.floor(code / 100)}xx` : 'error') : '2xx', (performance.now() - started) / 1000);
      callback(err, ...rest);
    };
  };

  const options: SMTPServerOptions = {
    ...ctx.tls.serverOptions(),
    secure: listener.tls === 'implicit',
    hideSTARTTLS: listener.tls !== 'starttls',
    name: config.hostname,
    banner: 'letterbox ESMTP',
    size: config.limits.message_size, // RFC 1870 SIZE, and the cap smtp-server enforces
    rejectOversized: true, // 552 5.3.4 once DATA goes over `size`
    hideENHANCEDSTATUSCODES: false, // RFC 2034
    hideREQUIRETLS: false, // RFC 8689, after STARTTLS: the queue delivers such mail only over verified TLS (./queue/runner.ts)
    hideDSN: false, // RFC 3461: NOTIFY, ORCPT, RET, ENVID are honoured by delivery and the queue
    maxRecipients: config.limits.recipients_per_message, // 452 4.5.3 past it
    authMethods: ['PLAIN', 'LOGIN'],
    authOptional: inbound,
    disabledCommands: inbound ? ['AUTH'] : [],
    allowInsecureAuth: !inbound && insecureAuthSomewhere,
    socketTimeout: config.limits.smtp_idle_timeout_s * 1000,
    disableReverseLookup: true,
    logger: false,
    maxAllowedUnauthenticatedCommands: inbound ? false : config.limits.bad_commands_before_disconnect,

    onConnect(session, callback) {
      const state = sessionState(session, name, startTls);
      const ip = normaliseIp(session.remoteAddress);
      if (ctx.shutdown.aborted) return fail(session, callback, Replies.shuttingDown());
      if (open >= config.limits.connections_per_listener) {
        log.warn({ conn: session.id, ip }, `refused ${name} connection from ${ip}: ${open} open, limits.connections_per_listener (${config.limits.connections_per_listener})`);
        return fail(session, callback, Replies.listenerFull());
      }
      if (!conns.acquire(clientKey(ip, config.limits.ipv6_prefix_length))) {
        log.warn({ conn: session.id, ip }, `refused ${name} connection from ${ip}: over limits.connections_per_ip (${config.limits.connections_per_ip})`);
        return fail(session, callback, Replies.tooManyConnections());
      }
      state.counted = true;
      open++;
      // reverse DNS runs while the client talks (./inbound/checks.ts); DATA takes the answer
      if (inbound && config.smtp.rdns_checks) state.ptr = ptrFindings(session.remoteAddress, resolver, !opts.resolver && !config.dns.servers.length);
      if (inbound && (config.smtp.dnsbl.length || config.smtp.greet_pause_ms)) {
        // ./inbound/checks.ts: DNSBL refusal, and the banner held back for early talkers
        const pause = new Promise((r) => setTimeout(r, config.smtp.greet_pause_ms));
        void Promise.all([config.smtp.dnsbl.length ? dnsblListed(ip, config.smtp.dnsbl, resolver) : null, pause]).then(([zone]) => {
          if (zone) {
            log.info({ conn: session.id, ip, zone }, `refused ${ip}: listed by ${zone} (smtp.dnsbl)`);
            return fail(session, callback, Replies.dnsblListed(zone));
          }
          callback();
        });
        return;
      }
      if (!inbound)
        state.registration = ctx.sessions.register({ id: session.id, protocol: 'submission', listener: name, remoteAddress: ip }, (reason) =>
          endSession(session.id, reason),
        );
      // AUTH is offered in plaintext only to clients the configuration trusts (RFC 4954 §4: no
      // plaintext mechanism advertised before TLS, lest a client send its password in the clear)
      if (!inbound && !plaintextAllowed(config, state.info)) session.disabledCommands = ['AUTH'];
      log.debug({ conn: session.id, ip, secure: session.secure }, `${name} connection from ${ip}`);
      callback();
    },

    onSecure(socket, session, callback) {
      ackReads(socket);
      const state = sessionState(session, name, startTls);
      state.account = null; // RFC 3207 §4.2: nothing learned before TLS carries over
      if (!inbound) session.disabledCommands = undefined;
      callback();
    },

    onAuth(auth, session, callback) {
      callback = measured('AUTH', callback);
      const state = sessionState(session, name, startTls);
      if (inbound) return fail(session, callback, new Error('AUTH not offered here'));
      if (!plaintextAllowed(config, state.info)) return fail(session, callback, Replies.tlsRequired());
      if (auth.method !== 'PLAIN' && auth.method !== 'LOGIN') return fail(session, callback, Replies.authInvalid());
      const username = (auth.username ?? '').trim();
      // RFC 4616 §2: an authorization identity we cannot act as fails the exchange (as IMAP and POP3 do)
      const { authzid, authcid } = auth as { authzid?: string; authcid?: string };
      if (authzid && authcid && authzid.trim().toLowerCase() !== authcid.trim().toLowerCase()) {
        log.info({ conn: session.id, user: authcid.slice(0, 100) }, 'submission login refused: authorization identity other than the login name');
        return fail(session, callback, Replies.authInvalid());
      }
      const ip = normaliseIp(session.remoteAddress);
      ctx.auth.login(username, auth.password ?? '', ip, { protocol: 'smtp', client: session.hostNameAppearsAs || null }).then(
        (res) => {
          if (res.ok) {
            state.account = res.account;
            state.credential = credentialId(res.credential);
            if (session.hostNameAppearsAs) state.registration?.setClientName(session.hostNameAppearsAs);
            state.registration?.authenticated(res.account, state.credential);
            log.info({ conn: session.id, ip, user: res.account.address, method: auth.method }, 'submission login');
            return callback(null, { user: res.account.address });
          }
          log.info({ conn: session.id, ip, user: username, reason: res.reason }, `submission login refused (${res.reason})`);
          const reply = res.reason === 'throttled' ? Replies.authThrottled() : res.reason === 'temp' ? Replies.authTemp() : Replies.authInvalid();
          fail(session, (e) => callback(e), reply);
        },
        (err) => {
          log.error({ conn: session.id, err: (err as Error).message }, 'authenticator failed');
          fail(session, (e) => callback(e), Replies.authTemp());
        },
      );
    },

    onMailFrom(address, session, callback) {
      callback = measured('MAIL', callback);
      const state = sessionState(session, name, startTls);
      const ip = normaliseIp(session.remoteAddress);
      const run = async () => {
        if (inbound) {
          if ((await ipMinute.count(clientKey(ip, config.limits.ipv6_prefix_length))) >= config.limits.smtp_messages_per_ip_per_minute) {
            log.warn({ conn: session.id, ip }, `${ip} is over limits.smtp_messages_per_ip_per_minute`);
            throw Replies.ipRateLimited();
          }
          return;
        }
        state.registration?.touch();
        if (!state.account || !session.user) throw Replies.authRequired();
        const account = await currentAccount(state, session.id);
        if (!address.address) throw Replies.nullSenderNotAllowed();
        if (!(await ownsAddress(ctx.store, account, address.address))) {
          log.warn({ conn: session.id, user: account.address, from: address.address }, 'submission refused: MAIL FROM not owned by the account');
          throw Replies.senderNotOwned();
        }
        if ((await perAccount.count(String(account.id))) >= config.limits.messages_per_hour_per_account) {
          log.warn({ conn: session.id, user: account.address }, `${account.address} is over limits.messages_per_hour_per_account`);
          throw Replies.accountRateLimited();
        }
      };
      run().then(
        () => callback(),
        (err) => fail(session, callback, err),
      );
    },

    onRcptTo(address, session, callback) {
      callback = measured('RCPT', callback);
      sessionState(session, name, startTls).registration?.touch();
      const run = async () => {
        if (inbound) {
          const from = session.envelope.mailFrom as { args?: Record<string, string | boolean> } | false;
          const declared = Number((from && from.args?.SIZE) || 0);
          const resolved = await resolveInboundRecipient(ctx, address.address, Number.isFinite(declared) ? declared : 0);
          if (config.smtp.greylisting) {
            const sender = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
            if (!(await greylistPasses(ctx, normaliseIp(session.remoteAddress), sender, resolved.rcpt, new Date()))) {
              log.info({ conn: session.id, ip: session.remoteAddress, from: sender, rcpt: resolved.rcpt }, 'greylisted');
              throw Replies.greylisted(config.smtp.greylist_delay_s);
            }
          }
          transaction(session).recipients.push(resolved);
          return;
        }
        // submission: any destination, but an unknown address in our own domains fails now
        const addr = address.address.toLowerCase();
        const domain = addr.slice(addr.lastIndexOf('@') + 1);
        // an address literal (user@[10.0.0.5]) would make us connect wherever the client says,
        // private and loopback ranges included: refused, as most providers do
        if (domain.startsWith('[')) throw Replies.addressLiteral();
        if (addr.includes('@') && (await ctx.store.getDomain(domain))) {
          const r = await ctx.store.resolveRecipient(addr);
          if (!r || (r.accounts.length === 0 && r.external.length === 0)) throw Replies.unknownUser();
        }
      };
      run().then(
        () => callback(),
        (err) => {
          const reply = storeErrorReply(err);
          log.info({ conn: session.id, ip: session.remoteAddress, rcpt: address.address, reply: reply.toString() }, 'RCPT refused');
          fail(session, callback, reply);
        },
      );
    },

    onData(stream, session, callback) {
      callback = measured('DATA', callback);
      const state = sessionState(session, name, startTls);
      state.registration?.touch();
      const started = Date.now();
      const envelope = {
        conn: session.id,
        ip: normaliseIp(session.remoteAddress),
        from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
        rcpt: session.envelope.rcptTo.map((r) => r.address),
        user: state.account?.address,
      };
      const txn = transaction(session);
      let releaseMessage = () => {};
      const run = async (): Promise<string> => {
        const read = await readMessage(stream, {
          maxBytes: config.limits.message_size,
          spool: spool!,
          graceS: config.limits.smtp_idle_timeout_s,
          minRate: config.limits.smtp_min_data_rate,
          onTooSlow(elapsed, bytes) {
            log.warn(
              { ...envelope, bytes, seconds: Math.round(elapsed), result: '421 4.4.2' },
              `${name}: closing a connection from ${envelope.ip}: DATA sent ${bytes} bytes in ${Math.round(elapsed)} s, slower than limits.smtp_min_data_rate (${config.limits.smtp_min_data_rate} bytes/s after limits.smtp_idle_timeout_s)`,
            );
            sendAndClose(session.id, Replies.tooSlow());
          },
        });
        if (!read.ok && read.reason === 'busy') {
          log.warn(
            { ...envelope, size: stream.byteLength, result: '452 4.3.1', budget: budget.max },
            `message deferred: messages being stored hold ${budget.max} bytes of memory (8 × limits.message_size) and none was freed within 30 s; the sender will retry`,
          );
          throw Replies.memoryBusy();
        }
        if (!read.ok && read.reason === 'too-slow') throw Replies.tooSlow();
        if (!read.ok) {
          log.info({ ...envelope, size: stream.byteLength, result: '552 5.3.4' }, 'message refused: over limits.message_size');
          throw Replies.tooBig();
        }
        releaseMessage = read.release;
        const raw = read.raw;
        if (inbound) {
          // counted beside the delivery rather than before it: the two may share a commit. A
          // counter that cannot be written does not refuse a message already being stored
          const counted = ipMinute
            .add(clientKey(envelope.ip, config.limits.ipv6_prefix_length))
            .catch((err: Error) => log.warn({ ...envelope, err: err.message }, 'SMTP rate counter not updated'));
          const r = await deliverInbound(ctx, session, txn, raw, resolver);
          await counted;
          log.info({ ...envelope, size: raw.length, stored: r.stored, queued: r.queued, failed: r.failed, ms: Date.now() - started, result: '250' }, 'message accepted');
          ctx.metrics?.message('received');
          return `Message accepted (${session.id})`;
        }
        if (!state.account) throw Replies.authRequired();
        await perAccount.add(String(state.account.id));
        const r = await deliverSubmission(ctx, session, state.account, raw);
        log.info({ ...envelope, size: raw.length, local: r.local, queued: r.queued, queueId: r.queueId, ms: Date.now() - started, result: '250' }, 'message submitted');
        ctx.metrics?.message('received');
        return `Message accepted (${r.queueId ?? session.id})`;
      };
      run().finally(() => releaseMessage()).then(
        (msg) => callback(null, msg),
        (err) => {
          const reply = storeErrorReply(err);
          if (reply.responseCode !== 552) log.info({ ...envelope, result: reply.toString() }, 'message refused');
          if (!(err instanceof Error) || reply !== err) log.error({ ...envelope, err: (err as Error)?.message }, 'delivery failed');
          fail(session, callback, reply);
        },
      );
    },

    onClose(session) {
      const state = sessionState(session, name, startTls);
      state.registration?.end();
      if (state.counted) {
        state.counted = false;
        open--;
        conns.release(clientKey(session.remoteAddress, config.limits.ipv6_prefix_length));
      }
    },
  };

  /**
   * The account as the store has it now (RFC 6409 leaves it to us; an account removed or
   * re-passworded since AUTH must not go on sending): re-read at every MAIL FROM. Gone or
   * changed: 421, and smtp-server closes the connection.
   */
  async function currentAccount(state: SessionState, conn: string): Promise<Account> {
    const seen = state.account!;
    const now = await ctx.store.getAccountById(seen.id);
    const reason = !now || now.address !== seen.address ? 'account removed' : state.credential === PASSWORD_CREDENTIAL && now.passwordHash !== seen.passwordHash ? 'password changed' : null;
    if (reason) {
      log.warn({ conn, user: seen.address, reason }, `submission refused: ${reason} since this session logged in; closing the session`);
      state.account = null;
      throw Replies.sessionEnded(reason);
    }
    state.account = now!;
    return now!;
  }

  /** sends a 421 reply on the connection of session `id` (smtp-server then closes it) */
  function sendAndClose(id: string, reply: SmtpReplyError): void {
    for (const c of server.connections) {
      const conn = c as unknown as { id?: string; session?: SMTPServerSession; send(code: number, text: string): void };
      if (conn.id === id && conn.session) fail(conn.session, (e) => conn.send(421, `${config.hostname} ${e.message}`), reply);
    }
  }

  /** ctx.sessions ends a submission session (its account was removed…): 421, then close */
  function endSession(id: string, reason: string): void {
    sendAndClose(id, Replies.sessionEnded(reason));
  }

  const server = new PromptSMTPServer(options);
  // smtp-server keeps its own copy of the certificate: refresh it when ours changes (ACME, renewed files),
  // so clients that send no SNI get the new one too
  const stopWatchingTls = ctx.tls.onChange?.(() => server.updateSecureContext(ctx.tls.serverOptions()));
  server.on('error', (err: Error) => log.debug({ err: err.message }, `${name}: ${err.message}`));
  const sockets = new Set<net.Socket>();
  server.server.on('connection', (socket: net.Socket) => {
    const closed = ctx.metrics?.connection(proto);
    if (closed) socket.once('close', closed);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  // a worker of `serve --workers N`: the primary listens and hands the connections over
  const handed = ctx.handoff?.attach(name, server.server);
  if (!handed)
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(new Error(`cannot listen for ${name} on ${listener.address}:${listener.port}: ${err.message}`));
      server.server.once('error', onError);
      server.listen(listener.port, listener.address, () => {
        server.server.off('error', onError);
        resolve();
      });
    });
  const bound = handed ?? (server.server.address() as net.AddressInfo);
  log.info({ address: bound.address, port: bound.port, tls: listener.tls }, `${name} listening on ${bound.address}:${bound.port}`);

  let closing: Promise<void> | null = null;
  const close = (graceMs = 10_000): Promise<void> => {
    if (closing) return closing;
    stopWatchingTls?.();
    closing = new Promise<void>((resolve) => {
      server.options.closeTimeout = Math.max(1, graceMs);
      server.close(() => resolve());
      // idle sessions (no transaction in progress) get their 421 at once (RFC 5321 §3.8);
      // the rest may finish their transaction within graceMs, then smtp-server sends 421
      for (const c of server.connections) {
        const conn = c as unknown as { session?: SMTPServerSession; send(code: number, text: string): void; close(): void };
        if (!conn.session?.envelope?.mailFrom) {
          conn.send(421, `${config.hostname} ${Replies.shuttingDown().message}`);
          conn.close();
        }
      }
    }).then(() => {
      for (const s of sockets) s.destroy();
      log.info(`${name} listener closed`);
    });
    return closing;
  };
  ctx.shutdown.addEventListener('abort', () => void close(), { once: true });

  return {
    name,
    address: bound.address,
    port: bound.port,
    connections: sockets,
    close,
  };
}
