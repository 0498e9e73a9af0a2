/**
 * The built-in per-account classifier (naive Bayes in the style of Graham's "A Plan for
 * Spam" with Robinson's smoothing, as mox and bogofilter do), so a single-machine install
 * filters spam with nothing else running. It learns only from its user: a message moved
 * into Junk is spam, one moved out of Junk (not to Trash) is ham (./learn.ts).
 *
 * State lives in the store's keyed state (namespace "spam.bayes", per account, carried by
 * backups and removed with the account):
 *   "#n"        JSON {"s": spam messages learned, "h": ham messages learned}
 *   "t:<token>" "<spam count> <ham count>"
 *   "m:<digest>" "spam" | "ham" — what a message was learned as, so learning it again
 *               is a no-op and learning it the other way first unlearns it.
 * Learning for one account is serialised in this process; counts of concurrent learners
 * in other processes may race (a lost increment shifts a probability slightly, never
 * corrupts anything).
 *
 * Speed: a verdict runs for every message and recipient on port 25, so each trained
 * account's token table is read once (kvList) and kept in memory, updated by every learn
 * in this process; tables are dropped least-recently-used first beyond CACHE_TOKENS tokens
 * in all (≈100 bytes each). An account whose table alone is larger is read per message.
 */
import { createHash } from 'node:crypto';
import type { Store } from '../../store/types.js';
import type { Verdict } from '../verdict.js';
import { headerEnd } from '../../smtp/core/headers.js';
import { tokenize } from './tokens.js';

const NS = 'spam.bayes';
/** the most telling tokens a verdict is based on */
const INTERESTING = 20;
/** Robinson's s and x: weight and value of the prior for rare tokens */
const S = 1;
const X = 0.5;
/** token counts held in memory across accounts */
const CACHE_TOKENS = 1_000_000;

export interface BayesConfig {
  enabled: boolean;
  threshold: number;
  min_learned: number;
}

interface Counts {
  s: number;
  h: number;
}

export type Kind = 'spam' | 'ham';

/** digest of a message without the fields delivery prepends (the same message learns once) */
export function messageDigest(raw: Buffer): string {
  const end = headerEnd(raw);
  const header = raw.subarray(0, end).toString('latin1');
  const id = /^message-id[ \t]*:[ \t]*(.*(?:\r?\n[ \t].*)*)/im.exec(header)?.[1]?.trim();
  const h = createHash('sha256');
  if (id) h.update('id:' + id);
  h.update(raw.subarray(end, Math.min(raw.length, end + 65536)));
  return h.digest('base64url').slice(0, 32);
}

export class BayesClassifier {
  private readonly chains = new Map<number, Promise<unknown>>();
  /** learned message totals per account, cached (every learn in this process updates it) */
  private readonly totals = new Map<number, Counts>();
  /** token table per account ("spam ham" as stored), in least-recently-used order */
  private readonly tables = new Map<number, Map<string, string>>();
  private cachedTokens = 0;
  private readonly loading = new Map<number, Promise<Map<string, string> | null>>();

  constructor(
    private readonly store: Store,
    readonly config: BayesConfig,
  ) {}

  private async counts(accountId: number): Promise<Counts> {
    const cached = this.totals.get(accountId);
    if (cached) return cached;
    const e = (await this.store.kvGet(NS, accountId, ['#n'])).get('#n');
    let c: Counts = { s: 0, h: 0 };
    try {
      if (e) c = JSON.parse(e.value) as Counts;
    } catch {
      // unreadable totals count as nothing learned
    }
    this.totals.set(accountId, c);
    return c;
  }

  /** forgets cached state (another process may have learned) */
  refresh(accountId?: number): void {
    for (const id of accountId === undefined ? [...this.tables.keys()] : [accountId]) this.dropTable(id);
    if (accountId === undefined) this.totals.clear();
    else this.totals.delete(accountId);
  }

  private dropTable(accountId: number): void {
    const t = this.tables.get(accountId);
    if (!t) return;
    this.cachedTokens -= t.size;
    this.tables.delete(accountId);
  }

  /** the account's whole token table from memory (read once), or null when too large to keep */
  private async table(accountId: number): Promise<Map<string, string> | null> {
    const t = this.tables.get(accountId);
    if (t) {
      this.tables.delete(accountId); // most recently used goes last
      this.tables.set(accountId, t);
      return t;
    }
    let p = this.loading.get(accountId);
    if (!p) {
      p = (async () => {
        const m = new Map<string, string>();
        let after: string | undefined;
        for (;;) {
          const page = await this.store.kvList(NS, accountId, { prefix: 't:', after, limit: 10_000 });
          for (const e of page) m.set(e.key, e.value);
          if (m.size > CACHE_TOKENS) return null;
          if (page.length < 10_000) break;
          after = page[page.length - 1]!.key;
        }
        this.tables.set(accountId, m);
        this.cachedTokens += m.size;
        for (const [id, old] of this.tables) {
          if (this.cachedTokens <= CACHE_TOKENS || id === accountId) break;
          this.cachedTokens -= old.size;
          this.tables.delete(id);
        }
        return m;
      })().finally(() => this.loading.delete(accountId));
      this.loading.set(accountId, p);
    }
    return p;
  }

  /** spam probability 0..1, or null while the account has learned too little */
  /** `tokens` may be a function: an account that has not learned enough never pays for tokenizing */
  async probability(accountId: number, tokens: string[] | (() => string[])): Promise<number | null> {
    const n = await this.counts(accountId);
    if (n.s < this.config.min_learned || n.h < this.config.min_learned) return null;
    const list = typeof tokens === 'function' ? tokens() : tokens;
    const table = await this.table(accountId);
    const values: string[] = [];
    if (table) {
      for (const t of list) {
        const v = table.get('t:' + t);
        if (v !== undefined) values.push(v);
      }
    } else {
      for (const e of (await this.store.kvGet(NS, accountId, list.map((t) => 't:' + t))).values()) values.push(e.value);
    }
    const scored: number[] = [];
    for (const value of values) {
      const sp = value.indexOf(' ');
      const sc = Number(value.slice(0, sp));
      const hc = Number(value.slice(sp + 1));
      const sf = Math.min(1, sc / n.s);
      const hf = Math.min(1, hc / n.h);
      if (sf + hf === 0) continue;
      const p = sf / (sf + hf);
      const total = sc + hc;
      const f = (S * X + total * p) / (S + total);
      scored.push(Math.min(0.9999, Math.max(0.0001, f)));
    }
    if (!scored.length) return 0.5;
    scored.sort((a, b) => Math.abs(b - 0.5) - Math.abs(a - 0.5));
    let logS = 0;
    let logH = 0;
    for (const f of scored.slice(0, INTERESTING)) {
      logS += Math.log(f);
      logH += Math.log(1 - f);
    }
    return 1 / (1 + Math.exp(logH - logS));
  }

  /** the account's verdict on a tokenized message (undefined when it cannot tell) */
  async verdict(accountId: number, tokens: string[] | (() => string[])): Promise<Verdict | undefined> {
    if (!this.config.enabled) return undefined;
    const p = await this.probability(accountId, tokens);
    if (p === null) return undefined;
    return { junk: p >= this.config.threshold, spamScore: p, spamThreshold: this.config.threshold, reasons: [`bayes=${p.toFixed(4)}`] };
  }

  /** learns one message as spam or ham; resolves to false when it was already learned so */
  learn(accountId: number, raw: Buffer, kind: Kind): Promise<boolean> {
    const prev = this.chains.get(accountId) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(() => this.learnNow(accountId, raw, kind));
    this.chains.set(accountId, next);
    void next.finally(() => {
      if (this.chains.get(accountId) === next) this.chains.delete(accountId);
    }).catch(() => undefined);
    return next;
  }

  /** resolves when every learn started so far has finished */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.chains.values()]);
  }

  private async learnNow(accountId: number, raw: Buffer, kind: Kind): Promise<boolean> {
    this.totals.delete(accountId);
    const digest = 'm:' + messageDigest(raw);
    const got = await this.store.kvGet(NS, accountId, [digest, '#n']);
    const before = got.get(digest)?.value as Kind | undefined;
    if (before === kind) return false;
    let n: Counts = { s: 0, h: 0 };
    try {
      const e = got.get('#n');
      if (e) n = JSON.parse(e.value) as Counts;
    } catch {
      // start over from zero
    }
    const tokens = tokenize(raw);
    const keys = tokens.map((t) => 't:' + t);
    const current = await this.store.kvGet(NS, accountId, keys);
    const writes = keys.map((key) => {
      const [sc, hc] = (current.get(key)?.value ?? '0 0').split(' ').map(Number) as [number, number];
      let s = sc;
      let h = hc;
      if (before === 'spam') s = Math.max(0, s - 1);
      if (before === 'ham') h = Math.max(0, h - 1);
      if (kind === 'spam') s++;
      else h++;
      return { key, value: `${s} ${h}` };
    });
    if (before === 'spam') n.s = Math.max(0, n.s - 1);
    if (before === 'ham') n.h = Math.max(0, n.h - 1);
    if (kind === 'spam') n.s++;
    else n.h++;
    writes.push({ key: '#n', value: JSON.stringify(n) }, { key: digest, value: kind });
    await this.store.kvSet(NS, accountId, writes, { durable: false });
    this.totals.set(accountId, n);
    // a table being read now may or may not include these writes: read it again next time
    const reading = this.loading.get(accountId);
    if (reading) void reading.then(() => this.dropTable(accountId));
    const table = this.tables.get(accountId);
    if (table) {
      for (const w of writes) {
        if (!w.key.startsWith('t:')) continue;
        if (!table.has(w.key)) this.cachedTokens++;
        table.set(w.key, w.value);
      }
    }
    return true;
  }
}
