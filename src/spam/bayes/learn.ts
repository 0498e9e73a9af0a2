/**
 * Learning from the user: the store's move and copy path, wrapped. A message moved or
 * copied into the account's \Junk mailbox is learned as spam; one moved or copied out of
 * \Junk into any mailbox but \Trash is learned as ham (deleting spam is not a "not spam").
 * Every client's MOVE, COPY (+ EXPUNGE) goes through store.move / store.copy, so this
 * sees them all without the IMAP code knowing. Learning runs after the operation has
 * committed and never delays or fails it: errors are logged.
 */
import type { Logger } from 'pino';
import type { Store } from '../../store/types.js';
import type { BayesClassifier, Kind } from './classifier.js';

export function withJunkLearning(store: Store, bayes: BayesClassifier, log: Logger): Store {
  const learnFrom = async (accountId: number, fromId: number, toId: number, mapping: Array<[number, number]>) => {
    const [junk, trash] = await Promise.all([store.getSpecialMailbox(accountId, '\\Junk'), store.getSpecialMailbox(accountId, '\\Trash')]);
    if (!junk || fromId === toId) return;
    let kind: Kind | null = null;
    if (toId === junk.id) kind = 'spam';
    else if (fromId === junk.id && toId !== trash?.id) kind = 'ham';
    if (!kind) return;
    let learned = 0;
    for (const [, uid] of mapping) {
      try {
        const raw = await store.getRaw(accountId, toId, uid);
        if (await bayes.learn(accountId, raw, kind)) learned++;
      } catch (err) {
        log.warn({ accountId, uid, err: (err as Error).message }, `could not learn a message as ${kind}`);
      }
    }
    if (learned) log.info({ accountId, learned, kind }, `classifier learned ${learned} message(s) as ${kind}`);
  };
  const wrap =
    (op: 'move' | 'copy'): Store['move'] =>
    async (accountId, fromId, uids, toId, opts) => {
      const res = await store[op](accountId, fromId, uids, toId, opts);
      if (bayes.config.enabled && res.mapping.length)
        void learnFrom(accountId, fromId, toId, res.mapping).catch((err) => log.warn({ err: (err as Error).message }, 'classifier learning failed'));
      return res;
    };
  const overrides: Partial<Store> = { move: wrap('move'), copy: wrap('copy') };
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, prop) {
      if (prop in overrides) return overrides[prop as keyof Store];
      const v = Reflect.get(target, prop, target) as unknown;
      if (typeof v !== 'function') return v;
      let b = bound.get(prop);
      if (!b) bound.set(prop, (b = (v as (...a: unknown[]) => unknown).bind(target)));
      return b;
    },
  });
}
