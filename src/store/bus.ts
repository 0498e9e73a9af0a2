/**
 * In-process ChangeBus: listeners subscribe per account; publish() hands each listener the
 * changes of its account, synchronously and in commit order. A throwing listener never
 * breaks delivery to the others (nor the mutation that published).
 */
import type { AccountId, Change, ChangeBus, ChangeListener } from './types.js';

export interface InProcessBus extends ChangeBus {
  /** number of current subscriptions (the SQLite backend polls other processes only while > 0) */
  subscriberCount(): number;
}

export function createChangeBus(onListenerError?: (err: unknown) => void): InProcessBus {
  const byAccount = new Map<AccountId, Set<ChangeListener>>();
  let count = 0;
  return {
    subscribe(accountId, listener) {
      // wrap so the same function may subscribe twice and unsubscribe independently
      const entry: ChangeListener = (c) => listener(c);
      let set = byAccount.get(accountId);
      if (!set) byAccount.set(accountId, (set = new Set()));
      set.add(entry);
      count++;
      let active = true;
      return () => {
        if (!active) return;
        active = false;
        count--;
        const s = byAccount.get(accountId);
        if (!s) return;
        s.delete(entry);
        if (s.size === 0) byAccount.delete(accountId);
      };
    },
    publish(changes: Change[]) {
      if (changes.length === 0) return;
      const grouped = new Map<AccountId, Change[]>();
      for (const c of changes) {
        let g = grouped.get(c.accountId);
        if (!g) grouped.set(c.accountId, (g = []));
        g.push(c);
      }
      for (const [accountId, list] of grouped) {
        const set = byAccount.get(accountId);
        if (!set) continue;
        for (const l of [...set]) {
          try {
            l(list);
          } catch (err) {
            onListenerError?.(err);
          }
        }
      }
    },
    subscriberCount() {
      return count;
    },
  };
}
