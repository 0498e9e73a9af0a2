/**
 * Reading a process tree's resources from /proc: resident and proportional memory, and
 * CPU time including reaped children (so short-lived Dovecot/Postfix workers count too).
 */
import { readFileSync, readdirSync } from 'node:fs';

const TICK = 100; // USER_HZ on Linux

function stat(pid: number): string[] | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // the command name may contain spaces: fields start after the last ')'
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** all live descendants of pid, pid included */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const f = stat(Number(d));
    if (!f) continue;
    const ppid = Number(f[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(d));
    children.set(ppid, list);
  }
  const out: number[] = [];
  const walk = (p: number) => {
    out.push(p);
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return out;
}

/** CPU seconds used by the tree: own + reaped children (cutime/cstime) of every live member */
export function treeCpuSeconds(pids: number[]): number {
  let ticks = 0;
  for (const p of pids) {
    const f = stat(p);
    if (!f) continue;
    // fields (after pid and comm): 0 state, 11 utime, 12 stime, 13 cutime, 14 cstime
    ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  }
  return ticks / TICK;
}

function kbField(text: string, name: string): number {
  const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) * 1024 : 0;
}

/** resident set size in bytes of the tree */
export function treeRss(pids: number[]): number {
  let sum = 0;
  for (const p of pids) {
    try {
      sum += kbField(readFileSync(`/proc/${p}/status`, 'latin1'), 'VmRSS');
    } catch {
      /* gone */
    }
  }
  return sum;
}

/** proportional set size in bytes (shared pages divided among sharers): fair for many processes */
export function treePss(pids: number[]): number {
  let sum = 0;
  for (const p of pids) {
    try {
      sum += kbField(readFileSync(`/proc/${p}/smaps_rollup`, 'latin1'), 'Pss');
    } catch {
      /* gone */
    }
  }
  return sum;
}

/** run and run-queue-wait seconds so far of every thread of the tree's live processes, by "pid/tid" (/proc/…/schedstat) */
export function threadSchedSeconds(pids: number[]): Map<string, { run: number; wait: number }> {
  const out = new Map<string, { run: number; wait: number }>();
  for (const p of pids) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        const [run, wait] = readFileSync(`/proc/${p}/task/${tid}/schedstat`, 'latin1').split(' ').map(Number);
        out.set(`${p}/${tid}`, { run: run! / 1e9, wait: wait! / 1e9 });
      } catch {
        /* gone */
      }
    }
  }
  return out;
}

/**
 * Starts watching the server's CPU; the returned function gives, over the interval, the
 * cores its process tree used, and for its busiest thread (letterbox: the event loop) the
 * share of the wall time it ran and the share it was idle, neither running nor waiting for
 * a core. A busiest thread that is almost never idle bounds the rate by CPU (its own, or a
 * machine too busy to run it); one often idle while the rate is low means the server waited.
 */
export function serverCpuWindow(pids: () => number[]): () => { cores: number; threadRun: number; threadIdle: number } {
  const t0 = process.hrtime.bigint();
  const tree0 = treeCpuSeconds(pids());
  const threads0 = threadSchedSeconds(pids());
  return () => {
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    let run = 0;
    let wait = 0;
    for (const [k, v] of threadSchedSeconds(pids())) {
      const a = threads0.get(k);
      if (a && v.run - a.run > run) {
        run = v.run - a.run;
        wait = v.wait - a.wait;
      }
    }
    if (secs <= 0) return { cores: 0, threadRun: 0, threadIdle: 0 };
    return { cores: (treeCpuSeconds(pids()) - tree0) / secs, threadRun: run / secs, threadIdle: Math.max(0, 1 - (run + wait) / secs) };
  };
}
