/**
 * `letterbox dns <domain>`: prints the DNS records to publish for a domain (MX, SPF, DKIM,
 * DMARC, RFC 6186 SRV, autoconfig) as zone-file lines, from the configuration (hostname,
 * listener ports) and the domain's stored DKIM key.
 */
import type { Command } from 'commander';
import { CliError, loadConfigFrom, withStore } from './common.js';
import { out } from './io.js';
import { formatZone, recordsFor } from '../smtp/dnsrecords.js';

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
        out(`; DNS records for ${d}: mail server ${config.hostname}`);
        if (config.hostname === 'localhost' || !config.hostname.includes('.'))
          out(`; warning: hostname "${config.hostname}" is not a public name; set hostname in the configuration first`);
        if (!domain.dkimSelector) out(`; note: ${d} has no DKIM key, so no DKIM record is listed and outgoing mail is not signed`);
        out(formatZone(recordsFor(domain, config)));
      });
    });
}
