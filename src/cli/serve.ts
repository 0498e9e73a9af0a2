/**
 * `letterbox serve`: runs the server (./server.ts) until SIGTERM/SIGINT, then stops it
 * gracefully (exit 0); SIGHUP re-reads changed certificate files. With --workers N (default:
 * one per core) it runs N worker processes sharing the listeners (./cluster.ts). The server
 * modules are imported when the command runs, so other commands start quickly.
 */
import type { Command } from 'commander';
import { loadConfigSource } from './common.js';
import { out } from './io.js';
import type { RunningServer } from './server.js';

/** Resolves on the first SIGTERM or SIGINT (a second one exits at once); `cancel` removes the handlers. */
function waitForSignal(): { signalled: Promise<NodeJS.Signals>; cancel(): void } {
  let handler: (sig: NodeJS.Signals) => void = () => undefined;
  const cancel = () => {
    process.off('SIGTERM', handler);
    process.off('SIGINT', handler);
  };
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    handler = (sig) => {
      cancel();
      const again = () => {
        out(`letterbox: second ${sig}; exiting without waiting`);
        process.exit(1);
      };
      process.once('SIGTERM', again);
      process.once('SIGINT', again);
      resolve(sig);
    };
    process.on('SIGTERM', handler);
    process.on('SIGINT', handler);
  });
  return { signalled, cancel };
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('run the mail server (every enabled listener) until SIGTERM / Ctrl-C')
    .option('--grace <seconds>', 'how long open connections get to finish on shutdown', '10')
    .option('--workers <n>', 'processes serving the listeners over the shared store: a number, or "auto" = one per core (default; the memory store: 1)')
    .action(async (opts: { grace: string; workers?: string }, cmd: Command) => {
      const graceMs = Math.max(0, Number(opts.grace) || 0) * 1000;
      const { config, file } = loadConfigSource(cmd);
      const { isWorker, runPrimary, runWorker, workerCount } = await import('./cluster.js');
      if (isWorker()) return runWorker(config, file);
      const workers = workerCount(opts.workers, config);
      const wait = waitForSignal(); // before starting, so an early SIGTERM is not lost
      if (workers > 1) {
        try {
          await runPrimary(config, file, workers, wait.signalled, graceMs);
        } catch (e) {
          wait.cancel();
          throw e;
        }
        return;
      }
      let server: RunningServer;
      try {
        const { startServer } = await import('./server.js');
        server = await startServer(config, { file });
      } catch (e) {
        wait.cancel();
        throw e;
      }
      const onHup = () =>
        void server.reloadTls().then(
          (changed) => out(`letterbox: SIGHUP: ${changed ? 'new certificates in use' : 'certificate files unchanged'}`),
          (e: Error) => out(`letterbox: SIGHUP: certificate reload failed: ${e.message}`),
        );
      process.on('SIGHUP', onHup);
      const sig = await wait.signalled;
      process.off('SIGHUP', onHup);
      out(`letterbox: ${sig} received; closing connections (up to ${graceMs / 1000} s) and the store`);
      await server.stop(graceMs);
      out('letterbox: stopped');
    });
}
