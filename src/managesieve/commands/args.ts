/** Argument checks shared by the commands: how many, and strings or numbers. */
import { ScriptError } from '../../sieve/scripts.js';
import { ArgError } from '../session/errors.js';
import type { Arg } from '../wire/reader.js';

/** exactly `n` string arguments (script bodies may come as literals) */
export function strings(args: Arg[], n: number, usage: string): string[] {
  if (args.length !== n) throw new ArgError(`Usage: ${usage}`);
  return args.map((a) => {
    if (a.type === 'tooLarge') throw new ScriptError('QUOTA/MAXSIZE', `script of ${a.size} bytes is larger than allowed`);
    if (a.type !== 'string') throw new ArgError(`Usage: ${usage} (strings are quoted or literals)`);
    return a.value;
  });
}

/** a non-negative number atom */
export function number(a: Arg | undefined, usage: string): number {
  if (!a || a.type !== 'atom' || !/^\d{1,10}$/.test(a.value)) throw new ArgError(`Usage: ${usage}`);
  return Number(a.value);
}
