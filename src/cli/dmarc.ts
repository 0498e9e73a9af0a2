/**
 * `letterbox dmarc reports [domain]`: the DMARC aggregate reports receivers sent about our
 * domains (read from the mailbox of the rua address, src/smtp/dmarc/received.ts; the admin
 * console's /admin/dmarc shows the same): who reported, for which period, how many messages
 * passed and failed, and from which addresses.
 */
import type { Command } from 'commander';
import { loadConfigFrom, withStore } from './common.js';
import { err, out, table } from './io.js';
import { reportTotals, reportsAbout } from '../smtp/dmarc/received.js';

const day = (d: Date) => (Number.isFinite(d.getTime()) ? d.toISOString().slice(0, 10) : '?');

export function register(program: Command): void {
  const dmarc = program.command('dmarc').description('DMARC aggregate reports about our domains');
  dmarc
    .command('reports [domain]')
    .description('list the aggregate reports received (from the mailbox of postmaster@ or dmarc-reports@)')
    .option('--records', 'one line per reported source address')
    .option('--json', 'print JSON')
    .action(async (domain: string | undefined, opts: { records?: boolean; json?: boolean }, cmd: Command) => {
      await withStore(loadConfigFrom(cmd), async (store) => {
        const reports = await reportsAbout(store, domain, (where, e) => err(`skipped an unreadable report (${where}): ${e.message}`));
        if (opts.json) {
          out(JSON.stringify(reports, null, 2));
          return;
        }
        if (!reports.length) {
          out(`no DMARC aggregate reports found${domain ? ` for ${domain}` : ''} (they arrive at the rua address: letterbox dns <domain>)`);
          return;
        }
        if (opts.records) {
          const rows = reports.flatMap((r) => r.records.map((x) => [r.domain, r.org, day(r.begin), x.sourceIp, String(x.count), x.disposition, x.dkim, x.spf, x.headerFrom]));
          table([['DOMAIN', 'REPORTER', 'DAY', 'SOURCE IP', 'COUNT', 'DISPOSITION', 'DKIM', 'SPF', 'HEADER FROM'], ...rows]);
          return;
        }
        table([
          ['DOMAIN', 'REPORTER', 'FROM', 'TO', 'MESSAGES', 'PASS', 'FAIL', 'SOURCES', 'REPORT ID'],
          ...reports.map((r) => {
            const t = reportTotals(r.records);
            return [r.domain, r.org, day(r.begin), day(r.end), String(t.messages), String(t.passed), String(t.failed), String(t.sources), r.reportId];
          }),
        ]);
      });
    });
}
