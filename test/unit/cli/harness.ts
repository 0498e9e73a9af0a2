/**
 * Runs the letterbox command tree in-process with captured output and a given standard
 * input, against one shared store (memory by default) so several commands see each other's work.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { run } from '../../../src/cli/program.js';
import { setStoreOpener } from '../../../src/cli/common.js';
import { createMemoryStore } from '../../../src/store/memory/index.js';
import type { Store } from '../../../src/store/types.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliHarness {
  dir: string;
  configFile: string;
  store: Store;
  /** runs `letterbox -c <configFile> ...argv`; `stdin` is piped (not a TTY) */
  cli(argv: string[], stdin?: string): Promise<CliResult>;
  close(): Promise<void>;
}

export async function makeCli(configText = ''): Promise<CliHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'letterbox-cli-'));
  const configFile = join(dir, 'letterbox.toml');
  writeFileSync(configFile, configText);
  const store = createMemoryStore();
  // commands close their store when done; the shared one stays open until close()
  const shared = new Proxy(store, {
    get: (target, prop, receiver) => (prop === 'close' ? async () => undefined : Reflect.get(target, prop, receiver)),
  });
  const restoreStore = setStoreOpener(async () => shared);
  return {
    dir,
    configFile,
    store,
    async cli(argv, stdin = '') {
      let stdout = '';
      let stderr = '';
      const code = await run(['-c', configFile, ...argv], {
        stdout: (t) => void (stdout += t),
        stderr: (t) => void (stderr += t),
        stdin: Readable.from(stdin ? [Buffer.from(stdin)] : []),
      });
      return { code, stdout, stderr };
    },
    async close() {
      restoreStore();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
