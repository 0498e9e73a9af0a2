/**
 * `letterbox sieve list|get|put|activate|check|delete`: an account's Sieve scripts, the
 * same ones ManageSieve and the web page edit (src/sieve/scripts.ts). Every script is
 * checked before it is stored; errors name the line and column.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { checkScript } from '../sieve/index.js';
import { ScriptError, SieveScripts } from '../sieve/scripts.js';
import type { Config } from '../config/schema.js';
import type { Account, Store } from '../store/types.js';
import { CliError, loadConfigFrom, withStore } from './common.js';
import { io, out, table } from './io.js';
import { parseAddress } from '../admin/validate.js';

function scriptsOf(store: Store, config: Config): SieveScripts {
  return new SieveScripts(store, { maxScriptBytes: config.sieve.max_script_bytes, maxScripts: config.sieve.max_scripts });
}

async function account(store: Store, user: string): Promise<Account> {
  const address = parseAddress(user, 'user');
  const a = await store.getAccount(address);
  if (!a) throw new CliError(`unknown user ${address} (see: letterbox user list)`);
  return a;
}

async function readScript(file: string): Promise<string> {
  if (file !== '-') {
    try {
      return readFileSync(file, 'utf8');
    } catch (e) {
      throw new CliError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (e as Error).message}`);
    }
  }
  const chunks: Buffer[] = [];
  for await (const c of io.stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
  return Buffer.concat(chunks).toString('utf8');
}

function scriptError(e: unknown, what: string): never {
  if (e instanceof ScriptError) throw new CliError(`${what}: ${e.message}`);
  throw e;
}

export function register(program: Command): void {
  const sieve = program.command('sieve').description("manage an account's Sieve filter scripts (also reachable over ManageSieve)");

  sieve
    .command('list <user>')
    .description("list the user's scripts; the active one runs at delivery")
    .action(async (user: string, _o: unknown, cmd: Command) => {
      const config = loadConfigFrom(cmd);
      await withStore(config, async (store) => {
        const a = await account(store, user);
        const list = await scriptsOf(store, config).list(a.id);
        if (list.length === 0) return out(`no scripts for ${a.address}`);
        table([['NAME', 'ACTIVE', 'SIZE'], ...list.map((s) => [s.name, s.active ? 'yes' : '', String(s.size)])]);
      });
    });

  sieve
    .command('get <user> [name]')
    .description('print a script (default: the active one)')
    .action(async (user: string, name: string | undefined, _o: unknown, cmd: Command) => {
      const config = loadConfigFrom(cmd);
      await withStore(config, async (store) => {
        const a = await account(store, user);
        const scripts = scriptsOf(store, config);
        const which = name ?? (await scripts.activeName(a.id));
        if (which === null) throw new CliError(`${a.address} has no active script; name one (see: letterbox sieve list ${a.address})`);
        const text = await scripts.get(a.id, which).catch((e: unknown) => scriptError(e, 'get'));
        if (text === null) throw new CliError(`${a.address} has no script named ${JSON.stringify(which)}`);
        io.stdout(text.endsWith('\n') ? text : text + '\n');
      });
    });

  sieve
    .command('put <user> <file>')
    .description('check and store a script from a file ("-" = standard input)')
    .option('-n, --name <name>', 'script name (default: the file name without .sieve)')
    .option('-a, --activate', 'also make it the active script')
    .action(async (user: string, file: string, opts: { name?: string; activate?: boolean }, cmd: Command) => {
      const config = loadConfigFrom(cmd);
      const name = opts.name ?? (file === '-' ? undefined : basename(file).replace(/\.(sieve|siv)$/i, ''));
      if (!name) throw new CliError('give the script a name with --name when reading standard input');
      const text = await readScript(file);
      await withStore(config, async (store) => {
        const a = await account(store, user);
        const scripts = scriptsOf(store, config);
        await scripts.put(a.id, name, text).catch((e: unknown) => scriptError(e, `${file} not stored`));
        if (opts.activate) await scripts.setActive(a.id, name);
        out(`stored script ${JSON.stringify(name)} for ${a.address}${opts.activate ? ' (active)' : ''}`);
      });
    });

  sieve
    .command('activate <user> [name]')
    .description('make a script the active one; without a name, no script is active')
    .action(async (user: string, name: string | undefined, _o: unknown, cmd: Command) => {
      const config = loadConfigFrom(cmd);
      await withStore(config, async (store) => {
        const a = await account(store, user);
        await scriptsOf(store, config).setActive(a.id, name ?? '').catch((e: unknown) => scriptError(e, 'activate'));
        out(name ? `script ${JSON.stringify(name)} is now active for ${a.address}` : `no script is active for ${a.address}`);
      });
    });

  sieve
    .command('delete <user> <name>')
    .description('delete a script (not the active one)')
    .action(async (user: string, name: string, _o: unknown, cmd: Command) => {
      const config = loadConfigFrom(cmd);
      await withStore(config, async (store) => {
        const a = await account(store, user);
        await scriptsOf(store, config).delete(a.id, name).catch((e: unknown) => scriptError(e, 'delete'));
        out(`deleted script ${JSON.stringify(name)} of ${a.address}`);
      });
    });

  sieve
    .command('check <user> [file]')
    .description("check a script file, or (without a file) every stored script of the user; exit 1 on an error")
    .action(async (user: string, file: string | undefined, _o: unknown, cmd: Command) => {
      const config = loadConfigFrom(cmd);
      const texts: Array<[string, string]> = [];
      if (file !== undefined) texts.push([file, await readScript(file)]);
      else
        await withStore(config, async (store) => {
          const a = await account(store, user);
          const scripts = scriptsOf(store, config);
          for (const s of await scripts.list(a.id)) texts.push([s.name, (await scripts.get(a.id, s.name)) ?? '']);
          if (texts.length === 0) out(`no scripts for ${a.address}`);
        });
      const bad: string[] = [];
      for (const [label, text] of texts) {
        const r = checkScript(text);
        if (r.ok) out(`${label}: ok`);
        else bad.push(`${label}: ${r.error.message}`);
      }
      if (bad.length) throw new CliError(bad.join('\n'));
    });
}
