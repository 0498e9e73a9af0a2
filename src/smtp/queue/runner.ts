/**
 * The outbound queue runner. Every `intervalMs` it takes the due items from the store,
 * groups their recipients by destination domain, resolves each domain's route once,
 * and delivers every message for that domain over one connection (connection reuse).
 * Results are per recipient: delivered recipients leave the item, permanent refusals
 * produce a failure DSN, temporary ones are retried with backoff (./backoff.ts) until
 * smtp.queue_lifetime_days, after which a failure DSN is sent; a delay warning DSN goes
 * out once after smtp.delay_warning_hours.
 *
 * Every process on the store runs one (PostgreSQL nodes, `serve --workers N`): a run claims
 * its due items for smtp.queue_lease_s (src/store/lease-types.ts), so exactly one runner
 * attempts each item; a runner that dies mid-delivery lets its claims run out and another
 * takes them over. A run never overlaps the previous one of the same runner.
 */
import { randomBytes } from 'node:crypto';
import type { ServerContext } from '../../context.js';
import type { QueueItem } from '../../store/types.js';
import { resolverFor, type DnsResolver } from '../core/dns.js';
import { aLabel } from '../../net/dns-name.js';
import { domainOf } from '../core/session.js';
import { expiresAt, retryDelayMs, warnAt } from './backoff.js';
import { OutboundConnection, TransactionError } from './client.js';
import { statusFromReply, sendDsn, type DsnRecipient } from './dsn.js';
import { addressesOf, routeFor } from './route.js';
import { dropEnvelope, loadEnvelope, wants, type EnvelopeParams } from './envelope.js';
import { mxAllowed, policyStrings, stsPolicy, type StsOptions } from './mta-sts.js';
import { daneCheck, danePolicy, type DanePolicy } from './dane.js';
import { dnsServers } from '../core/dns.js';
import { srsForward, srsSecret } from '../core/srs.js';
import { dailyDmarcReports } from '../dmarc/outgoing.js';
import { dailyTlsReports, recordTls, resultTypeOf, type TlsResult } from './tls-report.js';
import { deliverLocal } from '../delivery/deliver.js';
import { Replies, storeErrorReply } from '../core/errors.js';

export interface QueueRunnerOptions {
  /** poll interval (default 5000 ms) */
  intervalMs?: number;
  /** DNS for MX/A/AAAA (default: ./dns.ts getResolver()) */
  resolver?: DnsResolver;
  /** the clock (tests move it forward to reach retries, warnings and expiry) */
  now?: () => Date;
  /** port to connect to for an MX host (default config.smtp.outbound_port, or relay_host's port) */
  portFor?: (host: string) => number | undefined;
  /** items per run (default 200) */
  batch?: number;
  /** connect/greeting timeout (default 30 s) */
  timeoutMs?: number;
  /** destination domains delivered to in parallel (default 8) */
  concurrency?: number;
  /** start the timer (default true); tests may drive runOnce() by hand */
  autoStart?: boolean;
  /** how MTA-STS policies are fetched (tests: the HTTPS port and a test CA) */
  mtaSts?: StsOptions;
  /** CAs that MX certificates are verified against instead of the system's (tests) */
  tlsCa?: string[];
}

export interface QueueRunner {
  /** one pass over the due items; resolves when it is done */
  runOnce(): Promise<void>;
  stop(): Promise<void>;
}

type Outcome =
  /** `dsnPassed`: the next server took the DSN request over (it does DSN), so no success notice from us */
  | { kind: 'delivered'; host: string; dsnPassed: boolean }
  | { kind: 'temp' | 'perm'; status: string; reply: string; host?: string; fromRemote: boolean };

export function startQueueRunner(ctx: ServerContext, opts: QueueRunnerOptions = {}): QueueRunner {
  const log = ctx.log.child({ component: 'queue' });
  const smtp = ctx.config.smtp;
  const now = opts.now ?? (() => new Date());
  const resolver: DnsResolver = (n, t) => (opts.resolver ?? resolverFor(ctx.config))(n, t);
  const interval = opts.intervalMs ?? 5000;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;
  /** this runner's name on its claims */
  const holder = `queue-${process.pid}-${randomBytes(6).toString('hex')}`;

  async function deliverDomain(
    domain: string,
    jobs: Array<{ item: QueueItem; rcpts: string[] }>,
    outcomes: Map<string, Map<string, Outcome>>,
    params: Map<string, EnvelopeParams>,
    senders: Map<string, string>,
    /** RFC 8689: only over verified TLS to a server that offers REQUIRETLS (the caller splits the jobs) */
    requireTls = false,
  ) {
    domain = aLabel(domain); // MX, MTA-STS, DANE and TLS names are asked for in A-label form
    if (!requireTls) {
      const strict = jobs.filter((j) => params.get(j.item.id)?.requireTls);
      if (strict.length) {
        await deliverDomain(domain, strict, outcomes, params, senders, true);
        jobs = jobs.filter((j) => !strict.includes(j));
        if (!jobs.length) return;
      }
    }
    let tlsRefused = '';
    const set = (item: QueueItem, rcpt: string, o: Outcome) => outcomes.get(item.id)!.set(rcpt, o);
    const setAll = (o: Outcome, which = jobs) => which.forEach((j) => j.rcpts.forEach((r) => set(j.item, r, o)));

    const route = await routeFor(domain, resolver, smtp.relay_host);
    if (!route.ok) {
      log.warn({ domain, reason: route.reason }, `no route to ${domain}`);
      return setAll({ kind: route.permanent ? 'perm' : 'temp', status: route.status, reply: route.reason, fromRemote: false });
    }
    let pending = jobs;
    let lastError = `no mail server for ${domain} could be reached`;
    // RFC 8461: the destination's MTA-STS policy (not for a smarthost: that is our own choice)
    const sts = smtp.mta_sts && !smtp.relay_host ? await stsPolicy(ctx.store, domain, resolver, now(), opts.mtaSts) : { policy: null };
    const policy = sts.policy && sts.policy.mode !== 'none' ? sts.policy : null;
    const enforce = policy?.mode === 'enforce';
    const report = (mx: string, failure?: TlsResult['failure']) =>
      recordTls(ctx, { domain, mx, failure, policyType: policy ? 'sts' : 'no-policy-found', policyStrings: policy ? policyStrings(policy) : undefined }, now());
    if (sts.error) {
      log.warn({ domain, err: sts.error }, sts.error);
      if (!policy) await recordTls(ctx, { domain, mx: '', policyType: 'sts', failure: 'sts-policy-fetch-error' }, now());
    }
    for (const target of route.hosts) {
      if (!pending.length) break;
      if (policy && !mxAllowed(policy, target.host)) {
        await report(target.host, 'validation-failure');
        if (enforce) {
          lastError = `MTA-STS policy of ${domain} (enforce) does not list MX host ${target.host}; not delivering there`;
          log.warn({ domain, host: target.host }, lastError);
          continue;
        }
      }
      const port = target.port ?? opts.portFor?.(target.host) ?? smtp.outbound_port;
      const addresses = await addressesOf(target.host, resolver);
      if (!addresses.length) {
        lastError = `MX host ${target.host} has no address`;
        continue;
      }
      // RFC 7672: DNSSEC-validated TLSA records for this MX host take precedence over MTA-STS
      let dane: DanePolicy | null = null;
      // only with an explicitly configured resolver: DANE trusts its AD bit, which only a validating resolver sets
      if (smtp.dane && !smtp.relay_host && ctx.config.dns.servers.length) {
        try {
          dane = await danePolicy(dnsServers(ctx.config), domain, target.host, port, ctx.config.dns.timeout_ms);
        } catch (err) {
          // a validating resolver that cannot answer: the TLSA state is unknown, so wait (§2.2)
          lastError = `DANE: TLSA lookup for ${target.host} failed: ${(err as Error).message}`;
          log.warn({ domain, host: target.host }, lastError);
          continue;
        }
      }
      const tlsaReport = (failure?: TlsResult['failure']) =>
        recordTls(ctx, { domain, mx: target.host, failure, policyType: 'tlsa', policyStrings: dane!.records.map((r) => `${r.usage} ${r.selector} ${r.matchingType} ${r.certificate.toString('hex')}`) }, now());
      for (const address of addresses) {
        if (!pending.length) break;
        const conn = new OutboundConnection(target.host, address, port, aLabel(ctx.config.hostname), opts.timeoutMs ?? 30_000, {
          require: enforce || requireTls || !!dane,
          // DANE verifies against the TLSA records below, not against a CA
          verify: !dane && (enforce || requireTls),
          ca: opts.tlsCa,
        });
        try {
          await conn.connect();
        } catch (err) {
          const tlsFailure =
            (enforce || requireTls) && (/TLS|certificate|cert|altname|self[- ]signed|verify/i.test((err as Error).message) || /CERT|TLS/.test(String((err as { code?: string }).code)));
          if (tlsFailure && requireTls && !enforce) {
            tlsRefused = `REQUIRETLS: no verified TLS with ${target.host} (${(err as Error).message})`;
            lastError = tlsRefused;
            log.warn({ domain, host: target.host }, lastError);
          } else if (tlsFailure) {
            await report(target.host, resultTypeOf(err));
            lastError = `MTA-STS policy of ${domain} (enforce): TLS with ${target.host} failed verification (${(err as Error).message}); delivery deferred`;
            log.warn({ domain, host: target.host, address, port }, lastError);
          } else {
            lastError = `connection to ${target.host}[${address}]:${port} failed: ${(err as Error).message}`;
            log.info({ domain, host: target.host, address, port }, lastError);
          }
          continue;
        }
        if (dane) {
          const why = daneCheck(dane, conn.peerCertificate());
          if (why) {
            await tlsaReport('tlsa-invalid');
            lastError = `DANE: TLS with ${target.host} failed: ${why}; delivery deferred`;
            log.warn({ domain, host: target.host, address, port }, lastError);
            conn.quit();
            continue;
          }
          await tlsaReport();
        } else if (enforce) await report(target.host);
        else if (policy) {
          // testing mode: deliver anyway, report what verification would have said (RFC 8461 §5)
          const why = conn.verificationError(opts.tlsCa);
          await report(target.host, why ? resultTypeOf(why) : undefined);
          if (why) log.info({ domain, host: target.host, err: why.message }, `MTA-STS policy of ${domain} (testing): ${why.message}; delivering anyway`);
        } else await report(target.host, conn.secure ? undefined : 'starttls-not-supported');
        log.debug({ domain, host: target.host, address, port, tls: conn.secure, messages: pending.length }, 'connected');
        const rest: typeof pending = [];
        for (const job of pending) {
          if (conn.closed) {
            rest.push(job);
            continue;
          }
          let raw: Buffer;
          try {
            raw = await ctx.store.getQueueRaw(job.item.id);
          } catch (err) {
            log.error({ id: job.item.id, err: (err as Error).message }, 'queued message body unreadable; will retry');
            job.rcpts.forEach((r) => set(job.item, r, { kind: 'temp', status: '4.3.0', reply: 'local error reading the queued message', fromRemote: false }));
            continue;
          }
          // recipients with different NOTIFY/ORCPT go in separate transactions (one DSN request per RCPT set)
          const p = params.get(job.item.id) ?? {};
          const groups = new Map<string, string[]>();
          for (const r of job.rcpts) {
            const key = JSON.stringify(p.rcpt?.[r.toLowerCase()] ?? {});
            groups.set(key, [...(groups.get(key) ?? []), r]);
          }
          const unsent: string[] = [];
          for (const [key, rcpts] of groups) {
            if (conn.closed) {
              unsent.push(...rcpts);
              continue;
            }
            const rp = JSON.parse(key) as { notify?: string[]; orcpt?: string };
            if (requireTls && !conn.supports('REQUIRETLS')) {
              tlsRefused = `REQUIRETLS: ${target.host} does not offer REQUIRETLS (RFC 8689)`;
              lastError = tlsRefused;
              unsent.push(...rcpts);
              continue;
            }
            const dsn = p.ret || p.envid || rp.notify || rp.orcpt ? { ret: p.ret, envid: p.envid, notify: rp.notify && (rp.notify.length ? rp.notify : ['NEVER']), orcpt: rp.orcpt } : undefined;
            try {
              const res = await conn.send(senders.get(job.item.id) ?? job.item.from, rcpts, raw, { dsn, requireTls });
              const acceptedSet = new Set(res.accepted.map((a) => a.toLowerCase()));
              const dsnPassed = conn.supports('DSN');
              for (const r of rcpts) if (acceptedSet.has(r.toLowerCase())) set(job.item, r, { kind: 'delivered', host: target.host, dsnPassed });
              for (const f of res.rejected) {
                const rcpt = rcpts.find((r) => r.toLowerCase() === f.rcpt.toLowerCase()) ?? f.rcpt;
                set(job.item, rcpt, { kind: f.permanent ? 'perm' : 'temp', status: statusFromReply(f.reply, f.permanent), reply: f.reply, host: target.host, fromRemote: true });
              }
              log.info({ id: job.item.id, host: target.host, tls: conn.secure, delivered: res.accepted, refused: res.rejected.map((f) => `${f.rcpt}: ${f.reply}`) }, 'queue delivery attempt');
              if (res.rejected.length) await conn.reset();
            } catch (err) {
              if (err instanceof TransactionError && !err.connectionLost) {
                rcpts.forEach((r) =>
                  set(job.item, r, { kind: err.permanent ? 'perm' : 'temp', status: statusFromReply(err.reply, err.permanent), reply: err.reply, host: target.host, fromRemote: true }),
                );
                log.info({ id: job.item.id, host: target.host, reply: err.reply }, 'queue delivery refused');
                await conn.reset();
              } else {
                lastError = `connection to ${target.host} lost: ${(err as Error).message}`;
                unsent.push(...rcpts);
              }
            }
          }
          if (unsent.length) rest.push({ item: job.item, rcpts: unsent });
        }
        conn.quit();
        pending = rest;
      }
    }
    if (pending.length && tlsRefused && lastError === tlsRefused) {
      // RFC 8689 §4.2.1: the sender asked that the message go nowhere without TLS: it is returned
      log.info({ domain, messages: pending.length, reason: tlsRefused }, 'REQUIRETLS could not be honoured');
      setAll({ kind: 'perm', status: '5.7.30', reply: tlsRefused, fromRemote: false }, pending);
    } else if (pending.length) {
      log.info({ domain, messages: pending.length, reason: lastError }, 'deferred');
      setAll({ kind: 'temp', status: '4.4.1', reply: lastError, fromRemote: false }, pending);
    }
  }

  /**
   * Recipients in our own domains are delivered here, never through SMTP back to ourselves:
   * a copy port 25 accepted for several recipients whose mailbox was full or the store
   * busy is kept in the queue and retried this way (RFC 5321 §4.5.4.1), so a temporary
   * failure stays temporary and the sender hears nothing unless it lasts past the queue lifetime.
   */
  async function deliverHere(jobs: Array<{ item: QueueItem; rcpts: string[] }>, outcomes: Map<string, Map<string, Outcome>>) {
    for (const job of jobs) {
      const set = (rcpt: string, o: Outcome) => outcomes.get(job.item.id)!.set(rcpt, o);
      let raw: Buffer;
      try {
        raw = await ctx.store.getQueueRaw(job.item.id);
      } catch (err) {
        log.error({ id: job.item.id, err: (err as Error).message }, 'queued message body unreadable; will retry');
        job.rcpts.forEach((r) => set(r, { kind: 'temp', status: '4.3.0', reply: 'local error reading the queued message', fromRemote: false }));
        continue;
      }
      for (const rcpt of job.rcpts) {
        const resolved = await ctx.store.resolveRecipient(rcpt);
        if (!resolved || resolved.accounts.length === 0) {
          set(rcpt, { kind: 'perm', status: '5.1.1', reply: Replies.unknownUser().toString(), fromRemote: false });
          continue;
        }
        const results = await deliverLocal(ctx, resolved.accounts, raw, { returnPath: job.item.from });
        const errors = results.flatMap((r) => ('error' in r ? [storeErrorReply(r.error)] : []));
        const temp = errors.find((e) => e.responseCode < 500);
        const perm = errors.find((e) => e.responseCode >= 500);
        if (!errors.length) set(rcpt, { kind: 'delivered', host: 'local', dsnPassed: false }); // delivered here: a requested success DSN is ours to send
        else if (temp) set(rcpt, { kind: 'temp', status: temp.enhanced, reply: temp.toString(), fromRemote: false });
        else set(rcpt, { kind: 'perm', status: perm!.enhanced, reply: perm!.toString(), fromRemote: false });
        log.info({ id: job.item.id, rcpt, result: errors[0]?.toString() ?? 'delivered' }, 'queue: local delivery attempt');
      }
    }
  }

  async function finish(item: QueueItem, results: Map<string, Outcome>, at: Date, p: EnvelopeParams) {
    const failed: DsnRecipient[] = [];
    const succeeded: DsnRecipient[] = [];
    const remaining: Array<{ rcpt: string; o: Outcome & { kind: 'temp' } }> = [];
    const orcpt = (rcpt: string) => p.rcpt?.[rcpt.toLowerCase()]?.orcpt;
    for (const rcpt of item.recipients) {
      // a recipient without an outcome was not attempted: keep it (never drop mail silently)
      const o = results.get(rcpt) ?? ({ kind: 'temp', status: '4.3.0', reply: 'not attempted', fromRemote: false } as const);
      if (o.kind === 'delivered') {
        // RFC 3461 §5.2.2: a server that does not do DSN gets the message; we say "relayed"
        if (!o.dsnPassed && wants(p, rcpt, 'SUCCESS'))
          succeeded.push({ address: rcpt, action: 'relayed', status: '2.0.0', diagnostic: '', remoteMta: o.host, orcpt: orcpt(rcpt) });
        ctx.metrics?.message('delivered');
        continue;
      }
      if (o.kind === 'perm') failed.push(dsnRecipient(rcpt, o, 'failed'));
      else remaining.push({ rcpt, o: o as Outcome & { kind: 'temp' } });
    }
    const expired = at.getTime() >= expiresAt(smtp, item.createdAt).getTime();
    if (expired && remaining.length) {
      for (const r of remaining) {
        const d = dsnRecipient(r.rcpt, r.o, 'failed');
        d.status = '5.4.7'; // RFC 3463: delivery time expired
        d.diagnostic = `${r.o.reply} (gave up after ${smtp.queue_lifetime_days} days)`;
        d.diagnosticType = r.o.fromRemote ? 'smtp' : 'x-letterbox';
        failed.push(d);
      }
      remaining.length = 0;
    }
    for (const f of failed) f.orcpt = orcpt(f.address);
    let original: Buffer | null = null;
    const getOriginal = async () => (original ??= await ctx.store.getQueueRaw(item.id).catch(() => Buffer.alloc(0)));
    const notice = async (recipients: DsnRecipient[], what: string, extra: { willRetryUntil?: Date } = {}) => {
      if (!recipients.length || !item.from) return true;
      return sendDsn(ctx, { to: item.from, original: await getOriginal(), arrivalDate: item.createdAt, now: at, recipients, envid: p.envid, ret: p.ret, ...extra }).then(
        () => true,
        (err) => {
          log.error({ id: item.id, err: (err as Error).message }, `could not send ${what} DSN`);
          return false;
        },
      );
    };
    await notice(succeeded, 'success');
    await notice(failed.filter((f) => wants(p, f.address, 'FAILURE')), 'failure');
    ctx.metrics?.message('bounced', failed.length);
    if (failed.length) log.warn({ id: item.id, from: item.from, failed: failed.map((f) => `${f.address}: ${f.diagnostic}`) }, 'delivery failed permanently');
    if (!remaining.length) {
      await ctx.store.removeQueueItem(item.id);
      await dropEnvelope(ctx.store, item.id).catch(() => undefined);
      return;
    }
    ctx.metrics?.message('deferred');
    const attempts = item.attempts + 1;
    const patch: Parameters<typeof ctx.store.updateQueueItem>[1] = {
      recipients: remaining.map((r) => r.rcpt),
      attempts,
      nextAttemptAt: new Date(at.getTime() + retryDelayMs(smtp, attempts)),
      lastError: remaining.map((r) => `${r.rcpt}: ${r.o.reply}`).join('; ').slice(0, 2000),
    };
    if (!item.warnedAt && item.from && at.getTime() >= warnAt(smtp, item.createdAt).getTime()) {
      const delayed = remaining.filter((r) => wants(p, r.rcpt, 'DELAY')).map((r) => ({ ...dsnRecipient(r.rcpt, r.o, 'delayed'), orcpt: orcpt(r.rcpt) }));
      if (await notice(delayed, 'delay', { willRetryUntil: expiresAt(smtp, item.createdAt) })) patch.warnedAt = at;
    }
    await ctx.store.updateQueueItem(item.id, patch);
  }

  async function runOnce(): Promise<void> {
    const at = now();
    await dailyTlsReports(ctx, at, resolver).catch((err) => log.error({ err: (err as Error).message }, `sending TLS reports failed: ${(err as Error).message}`));
    await dailyDmarcReports(ctx, at, resolver).catch((err) => log.error({ err: (err as Error).message }, `sending DMARC reports failed: ${(err as Error).message}`));
    const items = await ctx.store.claimQueueItems(at, opts.batch ?? 200, holder, smtp.queue_lease_s * 1000);
    if (!items.length) return;
    const outcomes = new Map<string, Map<string, Outcome>>();
    const params = new Map<string, EnvelopeParams>();
    for (const item of items) params.set(item.id, await loadEnvelope(ctx.store, item.id).catch(() => ({})));
    // SRS (./srs.ts): forwarded mail (no submitting account) from a sender outside our domains
    const senders = new Map<string, string>();
    if (smtp.srs) {
      for (const item of items) {
        if (item.accountId !== null || !item.from || (await ctx.store.getDomain(domainOf(item.from)))) continue;
        const secret = await srsSecret(ctx.store, smtp.srs_secret);
        senders.set(item.id, srsForward(item.from, secret, aLabel(smtp.srs_domain || ctx.config.hostname), at));
      }
    }
    const byDomain = new Map<string, Array<{ item: QueueItem; rcpts: string[] }>>();
    for (const item of items) {
      outcomes.set(item.id, new Map());
      const perDomain = new Map<string, string[]>();
      for (const rcpt of item.recipients) {
        const d = domainOf(rcpt);
        perDomain.set(d, [...(perDomain.get(d) ?? []), rcpt]);
      }
      for (const [d, rcpts] of perDomain) byDomain.set(d, [...(byDomain.get(d) ?? []), { item, rcpts }]);
    }
    // at most `concurrency` destination domains at a time, one connection each
    const work = [...byDomain];
    const worker = async () => {
      for (let next = work.shift(); next; next = work.shift()) {
        const [domain, jobs] = next;
        const ours = await ctx.store.getDomain(domain).catch(() => null);
        await (ours ? deliverHere(jobs, outcomes) : deliverDomain(domain, jobs, outcomes, params, senders)).catch((err) => {
          log.error({ domain, err: (err as Error).message }, 'queue delivery failed unexpectedly; will retry');
          jobs.forEach((j) => j.rcpts.forEach((r) => outcomes.get(j.item.id)!.set(r, { kind: 'temp', status: '4.3.0', reply: 'local error', fromRemote: false })));
        });
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 8) }, worker));
    for (const item of items) {
      await finish(item, outcomes.get(item.id)!, at, params.get(item.id) ?? {}).catch((err) => log.error({ id: item.id, err: (err as Error).message }, 'could not update queue item'));
    }
    await ctx.store.releaseQueueItems(
      items.map((i) => i.id),
      holder,
    );
  }

  function guardedRun(): Promise<void> {
    if (!running)
      running = runOnce()
        .catch((err) => log.error({ err: (err as Error).message }, 'queue run failed'))
        .finally(() => {
          running = null;
        });
    return running;
  }

  function schedule() {
    if (stopped) return;
    timer = setTimeout(() => {
      void guardedRun().then(schedule);
    }, interval);
    timer.unref();
  }

  if (opts.autoStart !== false) schedule();
  const onAbort = () => void stop();
  ctx.shutdown.addEventListener('abort', onAbort, { once: true });

  async function stop(): Promise<void> {
    stopped = true;
    if (timer) clearTimeout(timer);
    ctx.shutdown.removeEventListener('abort', onAbort);
    await running;
  }

  return { runOnce: guardedRun, stop };
}

function dsnRecipient(address: string, o: Exclude<Outcome, { kind: 'delivered' }>, action: 'failed' | 'delayed'): DsnRecipient {
  return {
    address,
    action,
    status: o.status,
    diagnostic: o.reply,
    diagnosticType: o.fromRemote ? 'smtp' : 'x-letterbox',
    remoteMta: o.host,
  };
}
