/**
 * Mail to a domain's shared-mailbox owner (src/store/shared-owner.ts): "shared+<mailbox>@
 * <domain>" posts into the shared mailbox <mailbox> (Shared/<mailbox> in IMAP; the name
 * as written, else the one mailbox equal to it without regard to case), plain
 * "shared@<domain>" into its INBOX — each only when the mailbox's ACL gives "anyone" the
 * "p" right (RFC 4314 §2.1 post): the rights of "anyone" for mail from outside; mail
 * submitted by an account of this server (port 587/465, authenticated) may also use that
 * account's own rights, as IMAP gives them (its grants; a "-account p" entry takes away only
 * what its grants give, since the same mail could come in through port 25).
 * Otherwise the message is refused like a Sieve reject (550 5.7.1 at DATA when it
 * is the only recipient, a bounce otherwise): nothing is stored where no one may post, and
 * nothing is lost. The owner has no Sieve script and no spam folder.
 */
import { anyoneRights, grantedRights } from '../../store/acl.js';
import type { Account, MailboxInfo, Store } from '../../store/types.js';
import type { DeliveryPlan } from '../filter/run.js';

const nothingAfter = async (): Promise<void> => {};

async function target(store: Store, owner: Account, rcpt: string): Promise<MailboxInfo | null> {
  const local = rcpt.slice(0, rcpt.lastIndexOf('@'));
  const plus = local.indexOf('+');
  const name = plus < 0 ? 'INBOX' : local.slice(plus + 1);
  if (!name) return null;
  const exact = await store.getMailbox(owner.id, name.toUpperCase() === 'INBOX' ? 'INBOX' : name);
  if (exact) return exact;
  const folded = (await store.listMailboxes(owner.id)).filter((m) => m.name.toLowerCase() === name.toLowerCase());
  return folded.length === 1 ? folded[0]! : null;
}

/** the delivery plan for one message to the shared-mailbox owner `owner` addressed as `rcpt`, from `poster` when it submitted it */
export async function planSharedPost(store: Store, owner: Account, rcpt: string, log: { info(o: object, msg: string): void }, poster?: Account): Promise<DeliveryPlan> {
  const box = await target(store, owner, rcpt);
  // what anyone outside may post, an account may too (it could send the same mail to port 25)
  const rights = !box ? '' : (await anyoneRights(store, owner.id, box.id)) + (poster ? await grantedRights(store, owner.id, box.id, poster) : '');
  if (box && rights.includes('p')) {
    return { account: owner, copies: [{ mailboxId: box.id, flags: [], edited: null }], final: null, after: nothingAfter };
  }
  log.info({ rcpt, mailbox: box?.name ?? null, poster: poster?.address }, `mail to ${rcpt} refused: ${box ? `${poster ? poster.address : 'anyone'} lacks the p right on the shared mailbox` : 'no such shared mailbox'}`);
  // one answer for both, so a sender cannot probe which shared mailboxes exist
  return { account: owner, copies: [], final: { account: owner, rejected: 'posting to this shared mailbox is not allowed' }, after: nothingAfter };
}
