/**
 * SORT and THREAD (RFC 5256) on large mailboxes: SORT ARRIVAL, DATE, SUBJECT, FROM and
 * THREAD=REFERENCES over every message, on mailboxes of each size given (the same command
 * stream for every target; Dovecot answers these natively). letterbox reads the sort keys
 * indexed at delivery, never the bodies.
 *
 * Each command runs RUNS times after one warm-up run (which may build caches on either
 * server): the figures are the median wall time and the server's CPU time per run (its
 * process tree, from /proc), the second being less sensitive to a loaded machine.
 */
import { processTree, treeCpuSeconds } from '../lib/proc.js';
import type { Figure } from '../report.js';
import type { Target } from '../targets/target.js';
import { appendMessages, median, session, timeMs } from './imap.js';

const COMMANDS: Array<[key: string, label: string, command: string]> = [
  ['arrival', 'UID SORT (ARRIVAL)', 'UID SORT (ARRIVAL) UTF-8 ALL'],
  ['date', 'UID SORT (DATE)', 'UID SORT (DATE) UTF-8 ALL'],
  ['subject', 'UID SORT (SUBJECT)', 'UID SORT (SUBJECT) UTF-8 ALL'],
  ['from', 'UID SORT (FROM)', 'UID SORT (FROM) UTF-8 ALL'],
  ['thread_refs', 'UID THREAD REFERENCES', 'UID THREAD REFERENCES UTF-8 ALL'],
];

const RUNS = 5;

export async function sortThread(t: Target, corpus: Buffer[], sizes: number[]): Promise<Figure[]> {
  const figures: Figure[] = [];
  const cpu = () => treeCpuSeconds(t.rootPids().flatMap((p) => processTree(p)));
  for (const n of sizes) {
    const user = `sort${n}`;
    await t.addUsers([user], 'bench-password');
    await appendMessages(t, user, corpus, n, 4);
    const c = await session(t, user);
    const sel = await c.cmd('SELECT INBOX');
    if (sel.status !== 'OK') throw new Error(`SELECT: ${sel.text}`);
    for (const [key, label, command] of COMMANDS) {
      const run = async () => {
        const r = await c.cmd(command);
        if (r.status !== 'OK') throw new Error(`${label}: ${r.status} ${r.text}`);
      };
      const first = await timeMs(run);
      const ts: number[] = [];
      const cpu0 = cpu();
      for (let i = 0; i < RUNS; i++) ts.push(await timeMs(run));
      const cpuMs = ((cpu() - cpu0) * 1000) / RUNS;
      figures.push({ key: `imap.sort_${key}_${n}`, label: `${label} of ${n} msgs`, unit: 'ms', better: 'lower', value: median(ts) });
      figures.push({ key: `imap.sort_${key}_${n}_cpu`, label: `${label} of ${n} msgs, server CPU`, unit: 'ms', better: 'lower', value: cpuMs });
      figures.push({ key: `imap.sort_${key}_${n}_first`, label: `${label} of ${n} msgs, first run`, unit: 'ms', better: 'lower', value: first });
    }
    await c.logout();
  }
  return figures;
}
