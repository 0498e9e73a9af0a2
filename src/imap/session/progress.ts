/**
 * INPROGRESS (RFC 9585): while a command marked `progress` in the command table (FETCH,
 * SEARCH, SORT, THREAD, STORE, COPY, MOVE, EXPUNGE) runs longer than PROGRESS_AFTER_MS, the client is
 * told it is still being worked on, then again every PROGRESS_EVERY_MS:
 *   * OK [INPROGRESS ("tag" done total)] Still working      (counts when the command reports them)
 *   * OK [INPROGRESS ("tag" NIL NIL)] Still working
 * A command that wrote a response within the last PROGRESS_AFTER_MS is not interrupted.
 * Commands that know how far they are (FETCH by batch) report with progress(). Logins, APPEND and IDLE never get them.
 */
import { respCode } from '../wire/encode.js';

export const PROGRESS_AFTER_MS = 3000;
export const PROGRESS_EVERY_MS = 5000;

export class Progress {
  private timer: NodeJS.Timeout | null = null;
  private done: number | null = null;
  private total: number | null = null;

  constructor(private readonly notify: (code: ReturnType<typeof respCode>) => void) {}

  /** a command started */
  start(tag: string): void {
    this.stop();
    const tick = () => {
      this.notify(respCode('INPROGRESS', [tag, this.done, this.total]));
      this.timer = setTimeout(tick, PROGRESS_EVERY_MS);
      this.timer.unref();
    };
    this.timer = setTimeout(tick, PROGRESS_AFTER_MS);
    this.timer.unref();
  }

  /** how far the running command is (RFC 9585 §3: done ≤ total) */
  update(done: number, total: number): void {
    this.done = Math.min(done, total);
    this.total = total;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.done = null;
    this.total = null;
  }
}

