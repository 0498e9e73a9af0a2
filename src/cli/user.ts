/**
 * `letterbox user …`: accounts (full address as login name), their passwords (argon2id,
 * read from a prompt, standard input or a file, never from argv), quotas and the POP3
 * delete policy, and recovery of messages retained after a POP3 DELE.
 */
import type { Command } from 'commander';
import type { Config } from '../config/schema.js';
import type { Account, Pop3DeletePolicy, Store } from '../store/types.js';
import { createAuthenticator } from '../auth/authenticator.js';
import { isAdmin, setAdmin } from '../auth/roles.js';
import { isSharedOwner } from '../store/shared-owner.js';
import { CliError, cliLogger, loadConfigFrom, withStore } from './common.js';
import { out, table } from './io.js';
import { readNewPassword } from './password.js';
import { domainOf, formatSize, parseAddress, parseDomain, parseSize } from '../admin/validate.js';

const POLICIES = ['retain', 'trash', 'hide', 'expunge', 'default'] as const;

async function hashPassword(config: Config, store: Store, password: string): Promise<string> {
  return createAuthenticator(store, config, cliLogger(config)).hashPassword(password);
}

async function requireAccount(store: Store, address: string): Promise<Account> {
  const account = await store.getAccount(address);
  if (!account) throw new CliError(`unknown user ${address} (see: letterbox user list)`);
  return account;
}

function policyLabel(a: Account, config: Config): string {
  return a.pop3Policy ?? `default (${config.pop3.delete_policy})`;
}

export function register(program: Command): void {
  const user = program.command('user').description('manage mail accounts (login name = full address)');

  user
    .command('add <address>')
    .description('add a user; the password is asked twice, or read from standard input / --password-file')
    .option('--quota <size>', 'storage quota, e.g. 500M or 2G (default: unlimited)')
    .option('--password-file <path>', 'read the password from the first line of this file')
    .action(async (addr: string, opts: { quota?: string; passwordFile?: string }, cmd: Command) => {
      const address = parseAddress(addr);
      const quotaBytes = opts.quota !== undefined ? parseSize(opts.quota) : 0;
      const config = loadConfigFrom(cmd);
      await withStore(config, async (store) => {
        const domain = domainOf(address);
        if (!(await store.getDomain(domain)))
          throw new CliError(`unknown domain ${domain}; add it first: letterbox domain add ${domain}`);
        if (await store.getAccount(address)) throw new CliError(`user ${address} already exists`);
        const alias = (await store.listAliases(domain)).find((a) => a.source === address);
        if (alias) throw new CliError(`${address} is already an alias (to ${alias.destinations.join(', ')}); remove the alias first`);
        const password = await readNewPassword(opts);
        await store.createAccount(address, await hashPassword(config, store, password), { quotaBytes });
        out(`added user ${address}${quotaBytes ? ` (quota ${formatSize(quotaBytes)})` : ''}`);
      });
    });

  user
    .command('passwd <address>')
    .description('set a new password (asked twice, or read from standard input / --password-file)')
    .option('--password-file <path>', 'read the password from the first line of this file')
    .action(async (addr: string, opts: { passwordFile?: string }, cmd: Command) => {
      const address = parseAddress(addr);
      const config = loadConfigFrom(cmd);
      await withStore(config, async (store) => {
        const account = await requireAccount(store, address);
        if (isSharedOwner(account)) throw new CliError(`${address} owns the domain's shared mailboxes and cannot log in; it has no password`);
        const password = await readNewPassword(opts);
        await store.updateAccount(account.id, { passwordHash: await hashPassword(config, store, password) });
        out(`password changed for ${address}`);
      });
    });

  user
    .command('remove <address>')
    .description('remove a user and all of their mail')
    .action(async (addr: string, _opts: unknown, cmd: Command) => {
      const address = parseAddress(addr);
      await withStore(loadConfigFrom(cmd), async (store) => {
        const account = await requireAccount(store, address);
        const used = await store.usedBytes(account.id);
        await store.deleteAccount(account.id);
        out(`removed user ${address} and their mail (${formatSize(used)})`);
      });
    });

  user
    .command('list [domain]')
    .description('list users (of one domain, or all)')
    .action(async (domain: string | undefined, _opts: unknown, cmd: Command) => {
      const config = loadConfigFrom(cmd);
      await withStore(config, async (store) => {
        const d = domain === undefined ? undefined : parseDomain(domain);
        if (d && !(await store.getDomain(d))) throw new CliError(`unknown domain ${d} (see: letterbox domain list)`);
        const accounts = await store.listAccounts(d);
        if (accounts.length === 0) {
          out(d ? `no users in ${d} yet; add one with: letterbox user add someone@${d}` : 'no users yet; add one with: letterbox user add someone@example.com');
          return;
        }
        const rows = [['ADDRESS', 'USED', 'QUOTA', 'POP3 DELETE']];
        for (const a of accounts) {
          const address = isSharedOwner(a) ? `${a.address} (shared mailboxes, no login)` : a.address;
          rows.push([address, formatSize(await store.usedBytes(a.id)), formatSize(a.quotaBytes, 'unlimited'), policyLabel(a, config)]);
        }
        table(rows);
      });
    });

  user
    .command('quota <address> <size>')
    .description('set the storage quota, e.g. 500M, 2G, or 0 for unlimited')
    .action(async (addr: string, size: string, _opts: unknown, cmd: Command) => {
      const address = parseAddress(addr);
      const quotaBytes = parseSize(size);
      await withStore(loadConfigFrom(cmd), async (store) => {
        const account = await requireAccount(store, address);
        await store.updateAccount(account.id, { quotaBytes });
        const used = await store.usedBytes(account.id);
        out(`quota of ${address}: ${formatSize(quotaBytes, 'unlimited')} (${formatSize(used)} used)`);
        if (quotaBytes && used > quotaBytes) out('note: the account is already over this quota; new mail will be refused until it shrinks');
      });
    });

  user
    .command('pop3-policy <address> <policy>')
    .description(`what POP3 DELE does for this user: ${POLICIES.join(' | ')} (default = the configured pop3.delete_policy)`)
    .action(async (addr: string, policy: string, _opts: unknown, cmd: Command) => {
      const address = parseAddress(addr);
      const p = policy.trim().toLowerCase();
      if (!(POLICIES as readonly string[]).includes(p)) throw new CliError(`unknown POP3 policy "${policy}": use one of ${POLICIES.join(', ')}`);
      const config = loadConfigFrom(cmd);
      await withStore(config, async (store) => {
        const account = await requireAccount(store, address);
        const updated = await store.updateAccount(account.id, { pop3Policy: p === 'default' ? null : (p as Pop3DeletePolicy) });
        out(`POP3 delete policy of ${address}: ${policyLabel(updated, config)}`);
      });
    });

  user
    .command('admin <address>')
    .description('let this user use the admin console of the web pages (/admin); --revoke takes it back')
    .option('--revoke', 'no longer an administrator')
    .action(async (addr: string, opts: { revoke?: boolean }, cmd: Command) => {
      const address = parseAddress(addr);
      await withStore(loadConfigFrom(cmd), async (store) => {
        const account = await requireAccount(store, address);
        const was = await isAdmin(store, account.id);
        await setAdmin(store, account.id, !opts.revoke);
        if (opts.revoke) out(was ? `${address} is no longer an administrator` : `${address} was not an administrator`);
        else out(was ? `${address} is already an administrator` : `${address} is now an administrator: sign in at /login on the web listener, then open /admin`);
      });
    });
  user
    .command('pop3-restore <address> [guid...]')
    .description('bring messages deleted over POP3 (policy "retain") back into INBOX: all, or the given ids')
    .option('--list', 'only list the retained messages')
    .action(async (addr: string, guids: string[], opts: { list?: boolean }, cmd: Command) => {
      const address = parseAddress(addr);
      await withStore(loadConfigFrom(cmd), async (store) => {
        const account = await requireAccount(store, address);
        const retained = await store.listRetained(account.id);
        if (opts.list) {
          if (retained.length === 0) return out(`no retained messages for ${address}`);
          table([
            ['ID', 'DELETED', 'PURGED AFTER', 'SIZE', 'SUBJECT'],
            ...retained.map((r) => [r.guid, r.deletedAt.toISOString(), r.purgeAfter.toISOString(), formatSize(r.size), r.subject ?? '']),
          ]);
          return;
        }
        const unknown = guids.filter((g) => !retained.some((r) => r.guid === g));
        if (unknown.length) throw new CliError(`not retained for ${address}: ${unknown.join(', ')} (see: letterbox user pop3-restore ${address} --list)`);
        const n = await store.pop3Restore(account.id, guids.length ? guids : undefined);
        out(`restored ${n} message${n === 1 ? '' : 's'} to the INBOX of ${address}`);
      });
    });
}
