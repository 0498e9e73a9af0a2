/**
 * reject and ereject (RFC 5429). Both cancel the implicit keep. Delivery refuses the
 * message at the SMTP level when it can (see src/smtp/filter/ for the several-recipient
 * rule); a rejection never becomes a bounce to an unverified sender.
 * A script may not combine a rejection with keep, fileinto, redirect or vacation, nor
 * reject twice (§2.1); the interpreter reports that as a run-time error.
 */
import type { CommandSpec, Spec } from '../core/spec.js';

const reject = (name: 'reject' | 'ereject'): CommandSpec => ({
  kind: 'command',
  name,
  requires: name,
  positional: ['string'],
  run(node, rt) {
    const a = node.positional[0]!;
    rt.addAction({ type: 'reject', reason: a.kind === 'string' ? rt.expand(a.value) : '', extended: name === 'ereject' });
    rt.implicitKeep = false;
  },
});

export const REJECT: Spec[] = [reject('reject'), reject('ereject')];
