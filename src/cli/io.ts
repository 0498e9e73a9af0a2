/**
 * Where the CLI reads and writes. Commands print through `out`/`err` and read passwords
 * through `io.stdin`, so tests can run the whole commander program in-process with their
 * own streams (see ./program.ts `run`).
 */
import type { Readable } from 'node:stream';

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** process.stdin, or a test stream; `isTTY`/`setRawMode` decide whether a password is prompted */
  stdin: Readable & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
}

const processIo: CliIO = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  stdin: process.stdin,
};

export let io: CliIO = processIo;

/** true while the CLI writes to the process's own stderr (a progress bar may then drive the terminal) */
export function writesToProcess(): boolean {
  return io.stderr === processIo.stderr;
}

/** Replaces the streams (tests); returns a function restoring the previous ones. */
export function setIo(next: Partial<CliIO>): () => void {
  const prev = io;
  io = { ...io, ...next };
  return () => {
    io = prev;
  };
}

/** Prints one line to standard output. */
export function out(line = ''): void {
  io.stdout(line + '\n');
}

/** Prints one line to standard error. */
export function err(line: string): void {
  io.stderr(line + '\n');
}

/** Prints rows as aligned columns (the last column is not padded). */
export function table(rows: string[][]): void {
  if (rows.length === 0) return;
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  for (const r of rows) out(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
}
