/**
 * Answers of SORT and THREAD kept per mailbox between commands (./sort.ts). A message never
 * changes what it is sorted or threaded by (only its flags change), so the order of a
 * mailbox, and its thread rows, change only when its set of messages does; that set is
 * named by the mailbox's stamp: UIDVALIDITY, UIDNEXT and the message count. Every new message
 * takes a UID at or above UIDNEXT and raises it (rows.ts insertMessage, the one insert path);
 * every removal lowers the count (removeMessages); so any change to the set changes the stamp,
 * and an entry whose stamp differs is simply recomputed. The stamp is read before the answer
 * is computed, so a change made meanwhile (another process) can only make the entry look
 * older than it is, never newer.
 *
 * Bounded by entries and by weight (UIDs or rows held), least recently used out first.
 */
export interface MailboxStamp {
  uid_validity: number;
  uid_next: number;
  messages: number;
}

export const stampOf = (m: MailboxStamp): string => `${m.uid_validity}:${m.uid_next}:${m.messages}`;

export class AnswerCache<V> {
  private readonly entries = new Map<string, { stamp: string; value: V; weight: number }>();
  private total = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxWeight: number,
    private readonly weigh: (v: V) => number,
  ) {}

  get(key: string, stamp: string): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    this.entries.delete(key);
    if (e.stamp !== stamp) {
      this.total -= e.weight;
      return undefined;
    }
    this.entries.set(key, e); // most recently used last
    return e.value;
  }

  set(key: string, stamp: string, value: V): void {
    const weight = this.weigh(value);
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.total -= old.weight;
    }
    if (weight > this.maxWeight) return;
    this.entries.set(key, { stamp, value, weight });
    this.total += weight;
    for (const [k, e] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.total <= this.maxWeight) break;
      this.entries.delete(k);
      this.total -= e.weight;
    }
  }

  /** entries and weight held (tests, stats) */
  get size(): { entries: number; weight: number } {
    return { entries: this.entries.size, weight: this.total };
  }
}
