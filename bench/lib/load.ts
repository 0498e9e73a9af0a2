/**
 * How busy the machine was while a figure was measured: busy cores from /proc/stat over
 * the interval, the part of it the server under test used, and the 1-minute load average.
 * On a shared machine a figure measured while others ran is not comparable to one measured
 * on an idle machine; the table prints this beside each step.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { treeCpuSeconds } from './proc.js';

export interface MachineLoad {
  /** cores busy on average over the interval (all processes) */
  busyCores: number;
  /** cores the server under test used on average */
  serverCores: number;
  /** 1-minute load average at the end */
  loadavg1: number;
  cores: number;
}

function cpuJiffies(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'latin1').split('\n')[0]!; // "cpu  user nice system idle iowait irq softirq steal ..."
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** starts measuring; call the returned function at the end of the interval */
export function measureLoad(serverPids: () => number[]): () => MachineLoad {
  const cores = cpus().length;
  const a = cpuJiffies();
  const t0 = process.hrtime.bigint();
  const s0 = treeCpuSeconds(serverPids());
  return () => {
    const b = cpuJiffies();
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    const dt = b.total - a.total;
    return {
      busyCores: dt > 0 ? ((b.busy - a.busy) / dt) * cores : 0,
      serverCores: secs > 0 ? (treeCpuSeconds(serverPids()) - s0) / secs : 0,
      loadavg1: Number(readFileSync('/proc/loadavg', 'latin1').split(' ')[0]),
      cores,
    };
  };
}

export interface CpuSplit {
  /** wall seconds of the interval */
  seconds: number;
  /** CPU seconds of the server's process tree */
  server: number;
  /** CPU seconds of this bench process (the client load generator, one thread of JS) */
  client: number;
}

/**
 * Starts counting the CPU of the server and of the bench's own clients; call the returned
 * function at the end. When the clients run in this process, `client / seconds` near 1
 * means the load generator was the bottleneck, not the server: then the server's CPU per
 * operation is the figure to compare, not its rate.
 */
export function cpuSplit(serverPids: () => number[]): () => CpuSplit {
  const t0 = process.hrtime.bigint();
  const s0 = treeCpuSeconds(serverPids());
  const c0 = process.cpuUsage();
  return () => {
    const c = process.cpuUsage(c0);
    return {
      seconds: Number(process.hrtime.bigint() - t0) / 1e9,
      server: treeCpuSeconds(serverPids()) - s0,
      client: (c.user + c.system) / 1e6,
    };
  };
}
