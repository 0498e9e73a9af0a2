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

/** control characters but tab and line feed: what the CLI never sends to a terminal */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Prints one line to standard output (control characters from mail or the network shown as "?"). */
export function out(line = ''): void {
  io.stdout(line.replace(CONTROL, '?') + '\n');
}

/** Prints one line to standard error (control characters shown as "?"). */
export function err(line: string): void {
  io.stderr(line.replace(CONTROL, '?') + '\n');
}

/**
 * Text that came from mail or from the network (subjects, mailbox names, remote replies) as
 * it may reach a terminal: control characters (escape sequences, CR, bell…) become "?".
 */
export function printable(s: string, max = Infinity): string {
  // eslint-disable-next-line no-control-regex
  const t = s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return t.length > max ? t.slice(0, max) : t;
}

/** Prints rows as aligned columns (the last column is not padded); cells are made printable. */
export function table(rows: string[][]): void {
  if (rows.length === 0) return;
  rows = rows.map((r) => r.map((c) => printable(c)));
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  for (const r of rows) out(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
}
