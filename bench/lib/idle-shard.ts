/**
 * A child process of the bench's IDLE step: holds a share of the IDLE connections, so a run
 * can hold more connections than one process's open-file limit allows (50,000 on a machine
 * whose hard limit is 20,000). Driven by its parent over IPC:
 *   open {spec, from, count}  → opened {held, failed}
 *   watch                     → watching (EXISTS times are recorded from now on)
 *   collect {deadline}        → seen {times}   (wall-clock ms of each EXISTS seen)
 *   close                     → closes every connection and exits
 */
import type { RawImap } from './imap-client.js';
import { openIdle, waitSeen, watchExists, type IdleSpec } from './idle-conns.js';

export type ToShard =
  | { t: 'open'; spec: IdleSpec; from: number; count: number }
  | { t: 'watch' }
  | { t: 'collect'; deadline: number }
  | { t: 'close' };
export type FromShard = { t: 'opened'; held: number; failed: number } | { t: 'watching' } | { t: 'seen'; times: number[] };

let conns: RawImap[] = [];
const seenAt: number[] = [];
const reply = (m: FromShard) => process.send!(m);

process.on('message', (m: ToShard) => {
  void (async () => {
    if (m.t === 'open') {
      const r = await openIdle(m.spec, m.from, m.count);
      conns = r.conns;
      reply({ t: 'opened', held: conns.filter((c) => !c.closed).length, failed: r.failed });
    } else if (m.t === 'watch') {
      conns = conns.filter((c) => !c.closed);
      watchExists(conns, seenAt);
      reply({ t: 'watching' });
    } else if (m.t === 'collect') {
      await waitSeen(seenAt, conns.length, m.deadline);
      reply({ t: 'seen', times: seenAt });
    } else {
      for (const c of conns) c.close();
      process.disconnect();
      setTimeout(() => process.exit(0), 200).unref();
    }
  })();
});
