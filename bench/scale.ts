/**
 * Scale-out figures (issue 13): letterbox on SQLite and on PostgreSQL, each with one process
 * and with `serve --workers 2`, under the same client load. Run by `npm run bench` after the
 * side-by-side table (`--only scale` for this part alone), or `node dist/bench/scale.js
 * [--quick]`. PostgreSQL is a private cluster started here (Debian's postgresql package).
 *
 * The CPU-bound figures are POP3 RETR by several clients at once and the mixed IMAP load;
 * with two workers on a two-core machine they should reach 1.5× one process (the client
 * load generator runs on the same cores, so the ceiling is below 2×).
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { startLetterbox, type LetterboxOptions } from './targets/letterbox.js';
import { largeMailbox, mixedLoad } from './scenarios/imap.js';
import { pop3Download, pop3Parallel } from './scenarios/pop3.js';
import { smtpInbound } from './scenarios/smtp.js';
import type { Figure } from './report.js';
import { measureLoad } from './lib/load.js';
import { processTree } from './lib/proc.js';
import { havePostgres, startCluster } from '../test/helpers/pg-cluster.js';
import pg from 'pg';

export interface ScalePlan {
  mailbox: number;
  mixedClients: number;
  mixedSeconds: number;
  pop3Clients: number;
  pop3PerClient: number;
  smtpMessages: number;
  /** SQLite columns only (--no-postgres) */
  sqliteOnly?: boolean;
}

export function scalePlan(quick: boolean): ScalePlan {
  return quick
    ? { mailbox: 2000, mixedClients: 8, mixedSeconds: 5, pop3Clients: 4, pop3PerClient: 250, smtpMessages: 500 }
    : { mailbox: 10000, mixedClients: 16, mixedSeconds: 10, pop3Clients: 8, pop3PerClient: 500, smtpMessages: 2000 };
}

interface Column {
  name: string;
  opts: LetterboxOptions;
}

export async function runScale(msgs: Buffer[], plan: ScalePlan, jsonFile = 'bench-scale.json'): Promise<void> {
  const columns: Column[] = [
    { name: 'sqlite ×1', opts: { workers: 1 } },
    { name: 'sqlite ×2', opts: { workers: 2 } },
  ];
  const cluster = !plan.sqliteOnly && havePostgres() ? startCluster() : null;
  if (!cluster && !plan.sqliteOnly) console.error('scale: PostgreSQL is not installed (apt-get install postgresql); SQLite columns only');
  try {
    if (cluster) {
      const admin = new pg.Client({ connectionString: cluster.url('postgres') });
      await admin.connect();
      for (const w of [1, 2]) {
        await admin.query(`CREATE DATABASE bench_w${w}`);
        columns.push({ name: `postgres ×${w}`, opts: { workers: w, postgresUrl: cluster.url(`bench_w${w}`) } });
      }
      await admin.end();
    }
    const results = new Map<string, Figure[]>();
    for (const col of columns) {
      const t = await startLetterbox({ ...col.opts, name: `letterbox ${col.name}` });
      const figures: Figure[] = [];
      const step = async (what: string, fn: () => Promise<Figure[]>) => {
        const t0 = Date.now();
        process.stderr.write(`  ${col.name}: ${what} ...`);
        // two workers can only show on cores nobody else is using: the machine's load beside each step
        const load = measureLoad(() => t.rootPids().flatMap((p) => processTree(p)));
        try {
          const f = await fn();
          const l = load();
          for (const x of f) x.load = l;
          figures.push(...f);
          process.stderr.write(` ${((Date.now() - t0) / 1000).toFixed(1)} s; machine ${l.busyCores.toFixed(2)} of ${l.cores} cores busy (server ${l.serverCores.toFixed(2)}), loadavg ${l.loadavg1}\n`);
        } catch (e) {
          process.stderr.write(` failed: ${(e as Error).message}\n`);
        }
      };
      try {
        await step('mixed', () => mixedLoad(t, msgs, [plan.mixedClients], plan.mixedSeconds));
        await step('pop3 parallel', () => pop3Parallel(t, msgs, plan.pop3Clients, plan.pop3PerClient));
        await step('pop3', () => pop3Download(t, msgs, plan.pop3PerClient));
        await step('smtp', () => smtpInbound(t, msgs, plan.smtpMessages, 16));
        await step('imap', () => largeMailbox(t, msgs, plan.mailbox));
      } finally {
        await t.stop();
      }
      results.set(col.name, figures);
    }
    print(columns.map((c) => c.name), results);
    writeFileSync(jsonFile, JSON.stringify({ date: new Date().toISOString(), plan, columns: Object.fromEntries(results) }, null, 2));
    console.error(`scale: JSON written to ${jsonFile}`);
  } finally {
    cluster?.stop();
  }
}

function print(names: string[], results: Map<string, Figure[]>): void {
  const keys = [...new Set([...results.values()].flat().map((f) => f.key))];
  const fmt = (v: number | undefined) => (v === undefined ? '—' : v >= 100 ? v.toFixed(0) : v.toFixed(2));
  const header = ['figure', 'unit', ...names, ...['sqlite', 'postgres'].map((b) => `${b} ×2/×1`), 'busy cores (server), per column'];
  const rows = keys.map((key) => {
    const meta = [...results.values()].flat().find((f) => f.key === key)!;
    const v = (n: string) => results.get(n)?.find((f) => f.key === key)?.value;
    const ratio = (b: string) => {
      const one = v(`${b} ×1`);
      const two = v(`${b} ×2`);
      return one && two ? `${(two / one).toFixed(2)}×` : '—';
    };
    const load = names
      .map((n) => results.get(n)?.find((f) => f.key === key)?.load)
      .map((l) => (l ? `${l.busyCores.toFixed(1)} (${l.serverCores.toFixed(1)})` : '—'))
      .join(' / ');
    return [meta.label, meta.unit, ...names.map((n) => fmt(v(n))), ratio('sqlite'), ratio('postgres'), load];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r: string[]) => r.map((c, i) => (i < 2 || i === r.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log('\nletterbox scale-out: SQLite and PostgreSQL, one process and serve --workers 2');
  console.log(line(header));
  for (const r of rows) console.log(line(r));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { loadCorpus } = await import('./lib/corpus.js');
  await runScale(loadCorpus(), { ...scalePlan(process.argv.includes('--quick')), sqliteOnly: process.argv.includes('--no-postgres') });
}
