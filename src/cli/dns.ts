/**
 * `letterbox dns <domain>`: prints the DNS records to publish for a domain (MX, SPF, DKIM,
 * DMARC, MTA-STS, TLS-RPT, RFC 6186 SRV, autoconfig) as zone-file lines, from the configuration (hostname,
 * listener ports) and the domain's stored DKIM key.
 */
import type { Command } from 'commander';
import { CliError, loadConfigFrom, withStore } from './common.js';
import { out } from './io.js';
import { formatZone, recordsFor } from '../smtp/dnsrecords.js';
import { aLabel } from '../net/dns-name.js';

export function register(program: Command): void {
  program
    .command('dns <domain>')
    .description('print the DNS records to publish for a domain (MX, SPF, DKIM, DMARC, SRV)')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const config = loadConfigFrom(cmd);
      const d = name.trim().toLowerCase().replace(/\.$/, '');
      await withStore(config, async (store) => {
        const domain = await store.getDomain(d);
        if (!domain) throw new CliError(`unknown domain ${d}; add it first: letterbox domain add ${d}`);
        const ascii = aLabel(d);
        out(`; DNS records for ${d}${ascii !== d ? ` (in DNS: ${ascii})` : ''}: mail server ${aLabel(config.hostname)}`);
        if (config.hostname === 'localhost' || !config.hostname.includes('.'))
          out(`; warning: hostname "${config.hostname}" is not a public name; set hostname in the configuration first`);
        if (!domain.dkimSelector) out(`; note: ${d} has no DKIM key, so no DKIM record is listed and outgoing mail is not signed`);
        // report addresses only where mail to them is actually handled here
        const handled = async (candidates: string[]) => {
          for (const a of candidates) {
            const r = await store.resolveRecipient(a);
            if (r && (r.accounts.length || r.external.length)) return a;
          }
          return null;
        };
        const dmarc = await handled([`dmarc-reports@${d}`, `postmaster@${d}`]);
        const tlsrpt = await handled([`tls-reports@${d}`, `postmaster@${d}`]);
        if (!dmarc) out(`; note: no postmaster@${d} or dmarc-reports@${d} here, so the DMARC record asks for no reports (add one: letterbox alias add postmaster@${d} <you>)`);
        out(formatZone(recordsFor(domain, config, { dmarc, tlsrpt })));
      });
    });
}
