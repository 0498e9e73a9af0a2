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
import {
  accountIdentifier,
  entryRights,
  grantCount,
  grantsBy,
  identifierText,
  MAX_GRANTS_PER_MAILBOX,
  removeGrant,
  setGrant,
  sharedWith,
  type Identifier,
} from '../store/acl.js';
import type { Account, MailboxInfo, Store } from '../store/types.js';

async function account(store: Store, input: string, what: string): Promise<Account> {
  const address = parseAddress(input, what);
  const a = await store.getAccount(address);
  if (!a) throw new CliError(`unknown user ${address} (see: letterbox user list)`);
  return a;
}

/** an account address, "anyone" or "authenticated" (the owner's domain), each with an optional "-" (negative rights) */
async function identifier(store: Store, input: string, owner: Account): Promise<Identifier> {
  const negative = input.startsWith('-');
  const name = (negative ? input.slice(1) : input).toLowerCase();
  if (name === 'anyone' || name === 'authenticated') return { kind: name, negative };
  const a = await account(store, name, 'grantee');
  if (a.id === owner.id) throw new CliError(`${owner.address} owns the mailbox and always has every right`);
  return accountIdentifier(a, negative);
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
        'e.g. "lrs" to read, "lrswitek" to write; "+x"/"-x" add or remove; <grantee> is an address, "anyone" or "authenticated" ' +
        "(every account of the owner's domain), or one of them with a leading \"-\" for rights taken away (RFC 4314 negative rights; put \"--\" before the arguments then)",
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
        const who = await identifier(store, granteeIn, owner);
        const box = await mailbox(store, owner, name);
        const current = await entryRights(store, owner.id, box.id, who);
        const next = applyChange(current, change);
        if (next && !current && (await grantCount(store, owner.id, box.id)) >= MAX_GRANTS_PER_MAILBOX) {
          throw new CliError(`a mailbox's ACL holds at most ${MAX_GRANTS_PER_MAILBOX} entries`);
        }
        await setGrant(store, owner.id, box.id, who, next);
        const text = identifierText(who);
        if (!next) out(`${text} no longer has an entry on ${owner.address} ${box.name}`);
        else out(`${text} has "${renderRights(next)}" on ${owner.address} ${box.name} (IMAP: Other Users/${owner.address}/${box.name})`);
      });
    });

  mb.command('revoke <owner> <mailbox> <grantee>')
    .description("remove <grantee>'s entry (an address, anyone, authenticated, or one of them with \"-\") from <owner>'s <mailbox> (effective at the next IMAP command)")
    .action(async (ownerIn: string, name: string, granteeIn: string, _opts: unknown, cmd: Command) => {
      await withStore(loadConfigFrom(cmd), async (store) => {
        const owner = await account(store, ownerIn, 'owner');
        const who = await identifier(store, granteeIn, owner);
        const box = await mailbox(store, owner, name);
        if (!(await removeGrant(store, owner.id, box.id, who))) throw new CliError(`${identifierText(who)} had no entry on ${owner.address} ${box.name}`);
        out(`revoked ${identifierText(who)} on ${owner.address} ${box.name}`);
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
        for (const g of given) for (const x of g.grants) rows.push([a.address, g.mailbox.name, identifierText(x.identifier), renderRights(x.rights)]);
        for (const r of received) rows.push([r.owner.address, r.mailbox.name, a.address, renderRights(r.rights)]);
        table(rows);
      });
    });
}
