/**
 * `letterbox queue list|retry|remove`: the outbound queue, also while the server runs
 * (the runner picks up changed items at its next pass).
 */
import type { Command } from 'commander';
import { CliError, loadConfigFrom, withStore } from './common.js';
import { out, table } from './io.js';
import type { QueueItem } from '../store/types.js';

function age(from: Date, now: Date): string {
  const s = Math.max(0, Math.round((now.getTime() - from.getTime()) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}

function row(q: QueueItem, now: Date): string[] {
  const next = q.nextAttemptAt.getTime() <= now.getTime() ? 'now' : `in ${age(now, q.nextAttemptAt)}`;
  return [q.id, q.from || '<>', q.recipients.join(','), String(q.size), age(q.createdAt, now), String(q.attempts), next, (q.lastError ?? '-').slice(0, 80)];
}

export function register(program: Command): void {
  const queue = program.command('queue').description('inspect and manage the outbound mail queue');

  queue
    .command('list')
    .description('list queued messages')
    .action(async (_opts: unknown, cmd: Command) => {
      await withStore(loadConfigFrom(cmd), async (store) => {
        const items = await store.listQueue();
        if (!items.length) {
          out('the queue is empty');
          return;
        }
        const now = new Date();
        table([['ID', 'FROM', 'TO', 'SIZE', 'AGE', 'ATTEMPTS', 'NEXT', 'LAST ERROR'], ...items.map((q) => row(q, now))]);
      });
    });

  queue
    .command('retry [id]')
    .description('retry a queued message (or --all) at the next queue pass')
    .option('--all', 'retry every queued message')
    .action(async (id: string | undefined, opts: { all?: boolean }, cmd: Command) => {
      if (!id && !opts.all) throw new CliError('say which message to retry: letterbox queue retry <id>, or --all');
      if (id && opts.all) throw new CliError('give either an id or --all, not both');
      await withStore(loadConfigFrom(cmd), async (store) => {
        const items = opts.all ? await store.listQueue() : [await store.getQueueItem(id!)].filter((q): q is QueueItem => q !== null);
        if (!opts.all && !items.length) throw new CliError(`no queued message ${id} (see: letterbox queue list)`);
        const now = new Date();
        for (const q of items) await store.updateQueueItem(q.id, { nextAttemptAt: now });
        out(`${items.length} message${items.length === 1 ? '' : 's'} will be retried at the next queue pass`);
      });
    });

  queue
    .command('remove <id>')
    .description('delete a queued message without delivering it (no bounce is sent)')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      await withStore(loadConfigFrom(cmd), async (store) => {
        if (!(await store.getQueueItem(id))) throw new CliError(`no queued message ${id} (see: letterbox queue list)`);
        await store.removeQueueItem(id);
        out(`removed ${id} from the queue`);
      });
    });
}
