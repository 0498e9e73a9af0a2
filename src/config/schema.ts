/**
 * The configuration: one TOML file (letterbox.toml), validated with zod at start and by
 * `letterbox config check`. Every setting has a default; an empty file is a valid
 * quick-start configuration on unprivileged ports. Loading lives in ./load.ts.
 */
import { isIP } from 'node:net';
import { z } from 'zod';

export const TlsMode = z.enum(['implicit', 'starttls', 'none']);
export type TlsMode = z.infer<typeof TlsMode>;

const listener = (port: number, tls: TlsMode) =>
  z
    .object({
      enabled: z.boolean().default(true),
      address: z.string().default('0.0.0.0'),
      port: z.number().int().min(0).max(65535).default(port),
      tls: TlsMode.default(tls),
    })
    .strict()
    .prefault({});

const positive = z.number().int().positive();

/** a domain name as written in the configuration (letters, digits, hyphens; Unicode allowed), lower-cased, no trailing dot */
const domainName = z
  .string()
  .transform((v) => v.trim().toLowerCase().replace(/\.$/, ''))
  .refine((v) => v.length > 0 && v.length <= 253 && v.split('.').every((l) => /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u.test(l)), 'expected a domain name such as lists.example.org');

export const ConfigSchema = z
  .object({
    /** the server's own name: greeting banners, HELO, self-signed certificate, Received headers */
    hostname: z.string().min(1).default('localhost'),
    /** where the embedded store, the self-signed certificate and keys live */
    data_dir: z.string().default('./data'),

    store: z
      .object({
        backend: z.enum(['sqlite', 'memory', 'postgres']).default('sqlite'),
        /** backend = "postgres": several nodes on one database (README, "PostgreSQL") */
        postgres: z
          .object({
            /** postgres://user:password@host:port/database; empty = the PG* environment variables */
            url: z.string().default(''),
            /** connections per process */
            pool_size: positive.default(10),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),

    tls: z
      .object({
        /** PEM certificate chain and key; when absent a self-signed certificate for hostname is made in data_dir */
        cert: z.string().optional(),
        key: z.string().optional(),
        /** extra certificates chosen by SNI: { "mail.example.com" = { cert = "...", key = "..." } } */
        sni: z.record(z.string(), z.object({ cert: z.string(), key: z.string() }).strict()).default({}),
        /** certificates from an ACME CA (RFC 8555, http-01), kept in <data_dir>/acme and renewed automatically */
        acme: z
          .object({
            enabled: z.boolean().default(false),
            /** the CA's directory URL (default: Let's Encrypt production) */
            directory_url: z.string().default('https://acme-v02.api.letsencrypt.org/directory'),
            /** contact address for the ACME account (expiry notices) */
            email: z.string().default(''),
            /** extra PEM CA file to trust for the directory's HTTPS (a private ACME CA) */
            ca_file: z.string().optional(),
            /** renew this many days before expiry */
            renew_days: positive.default(30),
            /** more names besides hostname and autoconfig./mta-sts. of every domain */
            extra_names: z.array(z.string()).default([]),
            /** how often the certificate is checked for renewal */
            check_interval_s: positive.default(12 * 3600),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),

    /** quick-start defaults are unprivileged ports; production uses 25 587 465 143 993 110 995 */
    listeners: z
      .object({
        smtp: listener(2525, 'starttls'),
        submission: listener(2587, 'starttls'),
        submissions: listener(2465, 'implicit'),
        imap: listener(2143, 'starttls'),
        imaps: listener(2993, 'implicit'),
        pop3: listener(2110, 'starttls'),
        pop3s: listener(2995, 'implicit'),
        http: listener(8080, 'none'),
        https: listener(8443, 'implicit'),
        managesieve: listener(24190, 'starttls'),
      })
      .strict()
      .prefault({}),

    limits: z
      .object({
        connections_per_ip: positive.default(50),
        /** open connections per listener, all addresses together */
        connections_per_listener: positive.default(10000),
        /** idle timeout for IMAP (RFC 9051 asks for at least 30 minutes) */
        imap_idle_timeout_s: positive.default(1800),
        pop3_idle_timeout_s: positive.default(600),
        smtp_idle_timeout_s: positive.default(300),
        /** DATA may take smtp_idle_timeout_s plus one second per this many bytes (Postfix smtpd_min_data_rate); 0 = no minimum */
        smtp_min_data_rate: z.number().int().min(0).default(500),
        line_length: positive.default(65536),
        literal_size: positive.default(64 * 1024 * 1024),
        message_size: positive.default(50 * 1024 * 1024),
        mime_depth: positive.default(32),
        /** mailboxes one account may have (CREATE answers NO [LIMIT] beyond) */
        mailboxes_per_account: positive.default(1000),
        recipients_per_message: positive.default(100),
        messages_per_hour_per_account: positive.default(500),
        smtp_messages_per_ip_per_minute: positive.default(120),
        bad_commands_before_disconnect: positive.default(10),
        failed_logins_per_ip: positive.default(10),
        failed_logins_per_account: positive.default(10),
        /** per-client limits count an IPv6 client by this many leading bits (Postfix smtpd_client_ipv6_prefix_length) */
        ipv6_prefix_length: z.number().int().min(1).max(128).default(64),
        /** window for the failed-login counters */
        failed_login_window_s: positive.default(900),
      })
      .strict()
      .prefault({}),

    auth: z
      .object({
        /** allow LOGIN / USER+PASS / AUTH PLAIN without TLS from these addresses (e.g. ["127.0.0.1", "::1"]) */
        plaintext_allowed_from: z.array(z.string()).default([]),
        /** seconds a verified login is remembered (HMAC in memory) so reconnects skip argon2id; 0 = off */
        cache_ttl_s: z.number().int().min(0).default(3600),
        /**
         * whether users may give rights to "anyone"/"authenticated" with IMAP SETACL (RFC 4314;
         * Dovecot's acl_anyone, off by default there too); administrators always may (CLI)
         */
        acl_anyone: z.enum(['deny', 'allow']).default('deny'),
      })
      .strict()
      .prefault({}),

    pop3: z
      .object({
        /** what DELE does at QUIT unless the account says otherwise */
        delete_policy: z.enum(['retain', 'trash', 'hide', 'expunge']).default('retain'),
        /** days a POP3-deleted message stays recoverable under `retain` */
        retention_days: positive.default(30),
        /** messages sent by RETR get \Seen as IMAP sees it, written at QUIT (or when the connection ends), as in Dovecot */
        retr_marks_seen: z.boolean().default(true),
        /** "guid" (stable forever, default) or "dovecot" (%08Xu%08Xv: uid + uidvalidity, for migrations) */
        uidl_format: z.enum(['guid', 'dovecot']).default('guid'),
        /** minutes advertised as LOGIN-DELAY (0 = not advertised) */
        login_delay_min: z.number().int().min(0).default(0),
      })
      .strict()
      .prefault({}),

    smtp: z
      .object({
        /** days an outbound message is retried before a failure DSN */
        queue_lifetime_days: positive.default(5),
        /** hours after which a delay warning DSN is sent */
        delay_warning_hours: positive.default(4),
        /** first retry delay; doubles with each attempt */
        retry_base_s: positive.default(300),
        retry_max_s: positive.default(3 * 3600),
        /** verify SPF/DKIM/DMARC on port 25 and add Authentication-Results */
        verify_inbound: z.boolean().default(true),
        /** port outbound delivery connects to (25; tests use others) */
        outbound_port: z.number().int().min(1).max(65535).default(25),
        /** seconds a node's claim on queued messages lasts: another node retries them after this if it died mid-delivery */
        queue_lease_s: positive.default(300),
        /** deliver queued mail to this host instead of MX lookup ("host:port"), empty = MX */
        relay_host: z.string().default(''),
        /** honour destinations' MTA-STS policies (RFC 8461): verified TLS where they ask for it */
        mta_sts: z.boolean().default(true),
        /** honour DANE (RFC 7672): TLSA records validated by the DNSSEC-validating resolver named in dns.servers (none named = no DANE) */
        dane: z.boolean().default(true),
        /** the MTA-STS policy we publish for our domains: start with "testing", then "enforce" */
        mta_sts_policy: z.enum(['testing', 'enforce', 'none']).default('testing'),
        mta_sts_max_age_days: positive.default(7),
        /** DNS blocklists asked about each port-25 client (e.g. ["zen.spamhaus.org"]); listed = 554 at connect */
        dnsbl: z.array(z.string()).default([]),
        /** hold the banner back this long; clients that talk first get 421 (0 = off) */
        greet_pause_ms: z.number().int().min(0).max(30_000).default(0),
        /** greylisting of unknown (network, sender, recipient) triplets on port 25 */
        greylisting: z.boolean().default(false),
        greylist_delay_s: positive.default(300),
        /** addresses, CIDR prefixes or sender domains never greylisted */
        greylist_allow: z.array(z.string()).default([]),
        /** reverse DNS and HELO checks: spam reasons in X-Spam-Status, never a refusal */
        rdns_checks: z.boolean().default(true),
        /** findings (1 point each: no PTR, PTR not confirmed, HELO not a FQDN) that alone send mail to Junk */
        rdns_junk_score: positive.default(3),
        /** rewrite the sender of forwarded mail with SRS so SPF passes at the destination */
        srs: z.boolean().default(true),
        /** the domain SRS addresses use (needs an SPF record for this server); empty = hostname */
        srs_domain: z.string().default(''),
        /** the SRS secret; empty = one made on first use and kept in the store */
        srs_secret: z.string().default(''),
      })
      .strict()
      .prefault({}),

    dmarc: z
      .object({
        /** act on DMARC failures: p=reject refused (550 5.7.1), p=quarantine into Junk; false = only report */
        enforce: z.boolean().default(true),
        /** forwarders (domains, and their subdomains) whose valid ARC seal overrides a DMARC failure, e.g. ["lists.example.org"], for every local domain without its own list */
        trusted_forwarders: z.array(domainName).default([]),
        /** per local domain, [dmarc.domains."example.org"]: its own forwarder list, which replaces trusted_forwarders for mail to it */
        domains: z.record(domainName, z.object({ trusted_forwarders: z.array(domainName) }).strict()).default({}),
      })
      .strict()
      .prefault({}),

    spam: z
      .object({
        rspamd: z
          .object({
            /** rspamd's normal worker, e.g. "http://127.0.0.1:11333"; empty = rspamd not used */
            url: z.string().default(''),
            /** password of the controller/normal worker, if rspamd asks for one */
            password: z.string().default(''),
            timeout_ms: positive.default(10000),
            /** when rspamd cannot be reached: "open" accepts unfiltered mail, "closed" answers 451 4.7.1 */
            on_failure: z.enum(['open', 'closed']).default('open'),
          })
          .strict()
          .prefault({}),
        bayes: z
          .object({
            /** the built-in per-account classifier: learns from moves into and out of Junk */
            enabled: z.boolean().default(true),
            /** spam probability (0-1) at or above which a message goes to Junk */
            threshold: z.number().min(0.5).max(1).default(0.95),
            /** messages learned as spam and as ham (each) before the classifier gives verdicts */
            min_learned: z.number().int().min(1).default(5),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),

    dns: z
      .object({
        /** recursive resolvers to ask ("127.0.0.1", "[::1]:5353", "10.0.0.2:53"); empty = the system's */
        servers: z.array(z.string()).default([]),
        /** per-query timeout */
        timeout_ms: positive.default(5000),
      })
      .strict()
      .prefault({}),

    web: z
      .object({
        /** hours a web sign-in lasts without use */
        session_hours: positive.default(12),
      })
      .strict()
      .prefault({}),

    metrics: z
      .object({
        /** addresses or CIDR ranges allowed to scrape /metrics */
        allowed_from: z
          .array(
            z.string().refine((v) => {
              const [addr, bits, extra] = v.trim().split('/');
              const family = isIP(addr ?? '');
              if (!family || extra !== undefined) return false;
              return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
            }, 'expected an IP address or a CIDR range such as 10.0.0.0/8'),
          )
          .default(['127.0.0.1', '::1']),
      })
      .strict()
      .prefault({}),

    sieve: z
      .object({
        /** run each account's active Sieve script at delivery */
        enabled: z.boolean().default(true),
        /** largest script, bytes */
        max_script_bytes: positive.default(64 * 1024),
        /** scripts per account */
        max_scripts: positive.default(20),
        /** actions one run may take (fileinto, redirect, keep, vacation …) */
        max_actions: positive.default(32),
        /** redirects one run may take */
        max_redirects: positive.default(4),
        /** include nesting (RFC 6609) */
        max_include_depth: positive.default(10),
        /** CPU time of one run, milliseconds; over it the message is kept in INBOX */
        cpu_time_ms: positive.default(1000),
        /** shortest and longest vacation period (RFC 5230 :days, RFC 6131 :seconds); values outside are clamped */
        vacation_min_period_s: positive.default(86400),
        vacation_max_period_s: positive.default(90 * 86400),
        /** longest duplicate tracking period (RFC 7352 :seconds) */
        duplicate_max_period_s: positive.default(7 * 86400),
      })
      .strict()
      .prefault({}),

    log: z
      .object({
        level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;

/** A full configuration with every default, optionally overridden (for tests). */
export function defaultConfig(overrides: Record<string, unknown> = {}): Config {
  return ConfigSchema.parse(overrides);
}
