/**
 * Progress bars for long admin commands (backup, restore, verify, import, export), drawn
 * by cli-progress on standard error. At a terminal the bar redraws in place; otherwise
 * (logs, cron, tests) one plain line is written at the start, every 10 seconds and at the
 * end, so a log shows how far a long run got.
 */
import cliProgress from 'cli-progress';
import { io, printable, writesToProcess } from './io.js';

export interface Progress {
  /** adds `n` done units; `note` replaces the text after the bar (e.g. the mailbox being read) */
  increment(n?: number, note?: string): void;
  /** sets the done units (when the caller counts them itself) */
  update(done: number, note?: string): void;
  setTotal(total: number): void;
  /** draws the final state and releases the terminal */
  stop(): void;
}

export function startProgress(what: string, total: number, unit: string): Progress {
  const stream = writesToProcess()
    ? process.stderr
    : // captured output (tests, embedding): a plain, non-terminal stream
      ({ isTTY: false, columns: 100, write: (s: string) => (io.stderr(s), true) } as unknown as NodeJS.WriteStream);
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${what} [{bar}] {percentage}% | {value}/{total} ${unit} | ETA {eta_formatted} | {note}`,
      barsize: 24,
      hideCursor: true,
      noTTYOutput: true,
      // off a terminal each draw ends its own line already; a cleared last line adds none
      clearOnComplete: !stream.isTTY,
      notTTYSchedule: 10_000,
      // the default catches SIGINT/SIGTERM to tidy the terminal and so keeps the process alive: never
      gracefulExit: false,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let done = 0;
  bar.start(Math.max(total, 0), 0, { note: '' });
  return {
    increment(n = 1, note) {
      done += n;
      bar.update(done, note === undefined ? undefined : { note: printable(note, 60) });
    },
    update(value, note) {
      done = value;
      bar.update(done, note === undefined ? undefined : { note: printable(note, 60) });
    },
    setTotal(t) {
      bar.setTotal(Math.max(t, 0));
    },
    stop() {
      bar.stop();
    },
  };
}

