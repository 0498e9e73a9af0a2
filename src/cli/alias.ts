/**
 * `letterbox alias add|remove|list`: addresses that forward to accounts or external
 * addresses. "@domain" is the catch-all for addresses of that domain without an account.
 */
import type { Command } from 'commander';
import { CliError, loadConfigFrom, withStore } from './common.js';
import { out, table } from './io.js';
import { domainOf, parseAddress, parseAliasSource, parseDomain } from '../admin/validate.js';

export function register(program: Command): void {
  const alias = program.command('alias').description('manage aliases and catch-all addresses');

  alias
    .command('add <source> <destinations...>')
    .description('deliver mail for <source> (local@domain, or @domain for a catch-all) to the destinations')
    .action(async (src: string, dests: string[], _opts: unknown, cmd: Command) => {
      const source = parseAliasSource(src);
      const destinations = [...new Set(dests.map((d) => parseAddress(d, 'destination')))];
      if (destinations.includes(source)) throw new CliError(`alias ${source} cannot point to itself`);
      await withStore(loadConfigFrom(cmd), async (store) => {
        const domain = domainOf(source);
        if (!(await store.getDomain(domain))) throw new CliError(`unknown domain ${domain}; add it first: letterbox domain add ${domain}`);
        if (!source.startsWith('@') && (await store.getAccount(source)))
          throw new CliError(`${source} is a user; an alias cannot have the same address`);
        if ((await store.listAliases(domain)).some((a) => a.source === source))
          throw new CliError(`alias ${source} already exists (remove it first to change its destinations)`);
        for (const d of destinations) {
          if ((await store.getDomain(domainOf(d))) && !(await store.resolveRecipient(d)))
            throw new CliError(`destination ${d} is in a local domain but is neither a user nor an alias`);
        }
        await store.addAlias(source, destinations);
        out(`added ${source.startsWith('@') ? 'catch-all' : 'alias'} ${source} -> ${destinations.join(', ')}`);
      });
    });

  alias
    .command('remove <source>')
    .description('remove an alias or catch-all')
    .action(async (src: string, _opts: unknown, cmd: Command) => {
      const source = parseAliasSource(src);
      await withStore(loadConfigFrom(cmd), async (store) => {
        if (!(await store.listAliases(domainOf(source))).some((a) => a.source === source))
          throw new CliError(`unknown alias ${source} (see: letterbox alias list)`);
        await store.removeAlias(source);
        out(`removed alias ${source}`);
      });
    });

  alias
    .command('list [domain]')
    .description('list aliases (of one domain, or all)')
    .action(async (domain: string | undefined, _opts: unknown, cmd: Command) => {
      const d = domain === undefined ? undefined : parseDomain(domain);
      await withStore(loadConfigFrom(cmd), async (store) => {
        const aliases = await store.listAliases(d);
        if (aliases.length === 0) return out('no aliases');
        table([['ALIAS', 'DESTINATIONS'], ...aliases.map((a) => [a.source, a.destinations.join(', ')])]);
      });
    });
}
