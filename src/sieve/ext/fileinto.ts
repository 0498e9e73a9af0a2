/**
 * fileinto (RFC 5228 §4.1) with :copy (RFC 3894), :flags (RFC 5232), :create (RFC 5490
 * §3.2) and :mailboxid (RFC 9042 §3); mailboxexists (RFC 5490 §3.1) and mailboxidexists
 * (RFC 9042 §4). Whether the mailbox exists is decided when the action is carried out:
 * delivery files into INBOX (and says why) when it does not and :create was not given.
 */
import type { CommandSpec, Spec, TestSpec } from '../core/spec.js';
import { tagValue } from '../core/spec.js';
import { strings } from './common.js';
import { actionFlags, FLAGS_TAG } from './imap4flags.js';

const fileinto: CommandSpec = {
  kind: 'command',
  name: 'fileinto',
  requires: 'fileinto',
  tags: {
    copy: { requires: 'copy' },
    create: { requires: 'mailbox' },
    mailboxid: { value: 'string', requires: 'mailboxid' },
    ...FLAGS_TAG,
  },
  positional: ['string'],
  check(node, ctx) {
    const a = node.positional[0]!;
    if (a.kind === 'string' && typeof a.value === 'string' && a.value.trim() === '') ctx.error('fileinto needs a mailbox name', a.pos);
  },
  run(node, rt) {
    const a = node.positional[0]!;
    const mailbox = a.kind === 'string' ? rt.expand(a.value) : '';
    if (mailbox.trim() === '' || mailbox.length > 1000) rt.fail(`fileinto an invalid mailbox name "${mailbox.slice(0, 100)}"`);
    const id = tagValue(node, 'mailboxid');
    rt.addAction({
      type: 'fileinto',
      mailbox,
      flags: actionFlags(node, rt),
      create: node.tags.has('create'),
      mailboxId: id && id.kind === 'string' ? rt.expand(id.value) : null,
      raw: rt.view.current(),
    });
    if (!node.tags.has('copy')) rt.implicitKeep = false;
  },
};

const isInbox = (name: string) => name.toUpperCase() === 'INBOX';

const mailboxexists: TestSpec = {
  kind: 'test',
  name: 'mailboxexists',
  requires: 'mailbox',
  positional: ['list'],
  async run(node, rt) {
    const names = new Set((await rt.wait(rt.env.mailboxes())).map((m) => m.name));
    return strings(node, 0, rt).every((n) => names.has(isInbox(n) ? 'INBOX' : n));
  },
};

const mailboxidexists: TestSpec = {
  kind: 'test',
  name: 'mailboxidexists',
  requires: 'mailboxid',
  positional: ['list'],
  async run(node, rt) {
    const ids = new Set((await rt.wait(rt.env.mailboxes())).map((m) => m.id));
    return strings(node, 0, rt).every((id) => ids.has(id));
  },
};

export const FILEINTO: Spec[] = [fileinto, mailboxexists, mailboxidexists];
