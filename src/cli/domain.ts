/**
 * `letterbox domain add|list|remove`: the mail domains this server accepts mail for.
 * `add` creates a DKIM signing key (RSA 2048) stored with the domain; `letterbox dns <domain>`
 * prints the DNS records to publish (MX, SPF, DKIM, DMARC).
 */
import type { Command } from 'commander';
import { CliError, loadConfigFrom, withStore } from './common.js';
import { out, table } from './io.js';
import { parseDomain } from '../admin/validate.js';
import { dkimSelector, generateDkimKey } from '../smtp/core/dkim.js';

export function register(program: Command): void {
  const domain = program.command('domain').description('manage the mail domains this server receives mail for');

  domain
    .command('add <domain>')
    .description('add a domain (and create its DKIM signing key)')
    .option('--no-dkim', 'do not create a DKIM key')
    .action(async (name: string, opts: { dkim: boolean }, cmd: Command) => {
      const d = parseDomain(name);
      await withStore(loadConfigFrom(cmd), async (store) => {
        if (await store.getDomain(d)) throw new CliError(`domain ${d} already exists`);
        const dkim = opts.dkim ? { selector: dkimSelector(), privateKey: generateDkimKey() } : undefined;
        await store.addDomain(d, dkim);
        out(`added domain ${d}${dkim ? ` (DKIM selector ${dkim.selector})` : ''}`);
        out(`next: publish its DNS records (see: letterbox dns ${d}), then add a user: letterbox user add someone@${d}`);
      });
    });

  domain
    .command('list')
    .description('list the domains')
    .action(async (_opts: unknown, cmd: Command) => {
      await withStore(loadConfigFrom(cmd), async (store) => {
        const domains = await store.listDomains();
        if (domains.length === 0) {
          out('no domains yet; add one with: letterbox domain add example.com');
          return;
        }
        const accounts = await store.listAccounts();
        const aliases = await store.listAliases();
        const count = (d: string, addrs: string[]) => addrs.filter((a) => a.slice(a.lastIndexOf('@') + 1) === d).length;
        table([
          ['DOMAIN', 'USERS', 'ALIASES', 'DKIM SELECTOR'],
          ...domains.map((d) => [
            d.name,
            String(count(d.name, accounts.map((a) => a.address))),
            String(count(d.name, aliases.map((a) => a.source))),
            d.dkimSelector ?? '-',
          ]),
        ]);
      });
    });

  domain
    .command('remove <domain>')
    .description('remove a domain (refused while users or aliases still use it)')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const d = parseDomain(name);
      await withStore(loadConfigFrom(cmd), async (store) => {
        if (!(await store.getDomain(d))) throw new CliError(`unknown domain ${d} (see: letterbox domain list)`);
        await store.removeDomain(d);
        out(`removed domain ${d}`);
      });
    });
}
