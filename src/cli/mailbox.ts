/**
 * `letterbox mailbox share|revoke|shares`: one account lets another use one of its mailboxes
 * with RFC 4314 rights (the same grants IMAP's SETACL makes; src/store/acl.ts). The grantee
 * sees it in IMAP as "Other Users/<owner>/<mailbox>".
 * `letterbox mailbox create-shared|delete-shared`: a domain's shared mailboxes (IMAP
 * "Shared/<mailbox>"), owned by the domain's no-login owner shared@<domain>
 * (src/store/shared-owner.ts) and shared like any other mailbox.
 */
import type { Command } from 'commander';
import { CliError, loadConfigFrom, withStore } from './common.js';
import { out, table } from './io.js';
import { parseAddress } from '../admin/validate.js';
import { applyChange, parseRightsChange, renderRights, RightsError } from '../store/acl-rights.js';
import {
  accountIdentifier,
  dropMailboxGrants,
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
import { ensureSharedOwner, isSharedOwner, sharedOwnerAddress, sharedOwnerOf, SharedOwnerError } from '../store/shared-owner.js';
import { StoreError, type Account, type MailboxInfo, type Store } from '../store/types.js';
import { dropMailboxEntries } from '../imap/commands/metadata-entries.js';
import { domainOf } from '../store/util.js';

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

/** how the grantees of the owner's domain name the mailbox in IMAP */
const imapName = (owner: Account, name: string) => (isSharedOwner(owner) ? `Shared/${name}` : `Other Users/${owner.address}/${name}`);

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
        else out(`${text} has "${renderRights(next)}" on ${owner.address} ${box.name} (IMAP: ${imapName(owner, box.name)})`);
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

  mb.command('create-shared <domain> <mailbox>')
    .description(
      'create a shared mailbox of <domain> (IMAP: "Shared/<mailbox>"), owned by the no-login account shared@<domain> (made on first use); ' +
        'no one has rights on it until given: --anyone or letterbox mailbox share shared@<domain> <mailbox> <grantee> <rights>',
    )
    .option('--anyone <rights>', 'rights for every account of the domain, e.g. "lrs" to read, "lrswipkxte" to work in it; "p" lets mail to shared+<mailbox>@<domain> in')
    .action(async (domainIn: string, name: string, opts: { anyone?: string }, cmd: Command) => {
      let rights = '';
      try {
        rights = opts.anyone ? parseRightsChange(opts.anyone).rights : '';
      } catch (e) {
        if (e instanceof RightsError) throw new CliError(`invalid rights "${opts.anyone}": ${e.message}`);
        throw e;
      }
      await withStore(loadConfigFrom(cmd), async (store) => {
        const domain = domainIn.toLowerCase();
        if (!(await store.getDomain(domain))) throw new CliError(`unknown domain ${domain} (see: letterbox domain list)`);
        let owner: Account;
        try {
          owner = await ensureSharedOwner(store, domain);
        } catch (e) {
          if (e instanceof SharedOwnerError) throw new CliError(e.message);
          throw e;
        }
        try {
          await store.createMailbox(owner.id, name);
        } catch (e) {
          if (e instanceof StoreError && e.code === 'ALREADYEXISTS') throw new CliError(`the shared mailbox "${name}" of ${domain} already exists`);
          throw e;
        }
        const box = await mailbox(store, owner, name);
        if (rights) await setGrant(store, owner.id, box.id, { kind: 'anyone', negative: false }, rights);
        out(`created shared mailbox ${imapName(owner, box.name)} of ${domain}` + (rights ? ` (anyone: "${renderRights(rights)}")` : ' (no one has rights on it yet)'));
      });
    });

  mb.command('delete-shared <domain> <mailbox>')
    .description('delete a shared mailbox of <domain> with its messages and its ACL (its children stay)')
    .action(async (domainIn: string, name: string, _opts: unknown, cmd: Command) => {
      await withStore(loadConfigFrom(cmd), async (store) => {
        const owner = await sharedOwnerOf(store, domainIn);
        if (!owner) throw new CliError(`${domainIn} has no shared mailboxes (no ${sharedOwnerAddress(domainIn)})`);
        const box = await mailbox(store, owner, name);
        if (box.name === 'INBOX') throw new CliError('INBOX of the shared-mailbox owner cannot be deleted');
        for (const c of await store.deleteMailbox(owner.id, box.name)) {
          if (c.kind !== 'mailbox-deleted') continue;
          await dropMailboxGrants(store, owner.id, c.mailboxId);
          await dropMailboxEntries(store, owner.id, c.mailboxId);
        }
        out(`deleted shared mailbox ${imapName(owner, box.name)} of ${domainOf(owner.address)}`);
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
