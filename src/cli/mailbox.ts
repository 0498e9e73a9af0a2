/**
 * `letterbox mailbox share|revoke|shares`: one account lets another use one of its mailboxes
 * with RFC 4314 rights (the same grants IMAP's SETACL makes; src/store/acl.ts). The grantee
 * sees it in IMAP as "Other Users/<owner>/<mailbox>".
 */
import type { Command } from 'commander';
import { CliError, loadConfigFrom, withStore } from './common.js';
import { out, table } from './io.js';
import { parseAddress } from '../admin/validate.js';
import { applyChange, parseRightsChange, renderRights, RightsError } from '../store/acl-rights.js';
import { grantCount, grantedRights, grantsBy, MAX_GRANTS_PER_MAILBOX, removeGrant, setGrant, sharedWith } from '../store/acl.js';
import type { Account, MailboxInfo, Store } from '../store/types.js';

async function account(store: Store, input: string, what: string): Promise<Account> {
  const address = parseAddress(input, what);
  const a = await store.getAccount(address);
  if (!a) throw new CliError(`unknown user ${address} (see: letterbox user list)`);
  return a;
}

async function mailbox(store: Store, owner: Account, name: string): Promise<MailboxInfo> {
  const m = await store.getMailbox(owner.id, name.toUpperCase() === 'INBOX' ? 'INBOX' : name);
  if (!m) throw new CliError(`${owner.address} has no mailbox "${name}"`);
  return m;
}

export function register(program: Command): void {
  const mb = program.command('mailbox').description("share an account's mailboxes with other accounts (IMAP ACL, RFC 4314)");

  mb.command('share <owner> <mailbox> <grantee> <rights>')
    .description(
      'give <grantee> rights on <owner>\'s <mailbox>: letters of "lrswipkxtea" (l see, r read, s seen flag, w other flags, ' +
        'i insert, p post, k create, x delete mailbox, t delete messages, e expunge, a administer; c = kx, d = et); ' +
        'e.g. "lrs" to read, "lrswitek" to write; "+x"/"-x" add or remove',
    )
    .action(async (ownerIn: string, name: string, granteeIn: string, rightsIn: string, _opts: unknown, cmd: Command) => {
      let change;
      try {
        change = parseRightsChange(rightsIn);
      } catch (e) {
        if (e instanceof RightsError) throw new CliError(`invalid rights "${rightsIn}": ${e.message}`);
        throw e;
      }
      await withStore(loadConfigFrom(cmd), async (store) => {
        const owner = await account(store, ownerIn, 'owner');
        const grantee = await account(store, granteeIn, 'grantee');
        if (grantee.id === owner.id) throw new CliError(`${owner.address} owns the mailbox and always has every right`);
        const box = await mailbox(store, owner, name);
        const current = await grantedRights(store, owner.id, box.id, grantee);
        const next = applyChange(current, change);
        if (next && !current && (await grantCount(store, owner.id, box.id)) >= MAX_GRANTS_PER_MAILBOX) {
          throw new CliError(`a mailbox can be shared with at most ${MAX_GRANTS_PER_MAILBOX} accounts`);
        }
        await setGrant(store, owner.id, box.id, grantee, next);
        if (!next) out(`${grantee.address} no longer has rights on ${owner.address} ${box.name}`);
        else out(`${grantee.address} has "${renderRights(next)}" on ${owner.address} ${box.name} (IMAP: Other Users/${owner.address}/${box.name})`);
      });
    });

  mb.command('revoke <owner> <mailbox> <grantee>')
    .description("take away every right <grantee> has on <owner>'s <mailbox> (effective at its next IMAP command)")
    .action(async (ownerIn: string, name: string, granteeIn: string, _opts: unknown, cmd: Command) => {
      await withStore(loadConfigFrom(cmd), async (store) => {
        const owner = await account(store, ownerIn, 'owner');
        const grantee = await account(store, granteeIn, 'grantee');
        const box = await mailbox(store, owner, name);
        if (!(await removeGrant(store, owner.id, box.id, grantee.id))) throw new CliError(`${grantee.address} had no rights on ${owner.address} ${box.name}`);
        out(`revoked ${grantee.address} on ${owner.address} ${box.name}`);
      });
    });

  mb.command('shares <account>')
    .description("list the mailboxes <account> shares, and those shared with it")
    .action(async (input: string, _opts: unknown, cmd: Command) => {
      await withStore(loadConfigFrom(cmd), async (store) => {
        const a = await account(store, input, 'account');
        const given = await grantsBy(store, a.id);
        const received = await sharedWith(store, a);
        if (!given.length && !received.length) return out(`${a.address} shares no mailboxes and has none shared with it`);
        const rows: string[][] = [['OWNER', 'MAILBOX', 'GRANTEE', 'RIGHTS']];
        for (const g of given) for (const x of g.grants) rows.push([a.address, g.mailbox.name, x.address, renderRights(x.rights)]);
        for (const r of received) rows.push([r.owner.address, r.mailbox.name, a.address, renderRights(r.rights)]);
        table(rows);
      });
    });
}
