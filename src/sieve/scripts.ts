/**
 * Stored Sieve scripts, in the store's keyed state (src/store/kv-types.ts): namespace
 * "sieve", per account, keys "script/<name>" (the text) and "active" (the active script's
 * name); global scripts (RFC 6609 :global) are the same keys server-wide. ManageSieve, the
 * CLI, the web page and delivery all go through this one class, so the rules are the same
 * everywhere: names (RFC 5804 §1.6, no "/"), size and count limits, a script is checked
 * before it is stored, the active script cannot be deleted (RFC 5804 §2.10).
 */
import type { KvOps } from '../store/kv-types.js';
import type { AccountId } from '../store/types.js';
import { checkScript } from './check.js';
import type { SieveError } from './core/errors.js';

export const SIEVE_NS = 'sieve';
const PREFIX = 'script/';
const ACTIVE = 'active';

export type ScriptErrorCode = 'NONEXISTENT' | 'ALREADYEXISTS' | 'ACTIVE' | 'QUOTA/MAXSCRIPTS' | 'QUOTA/MAXSIZE' | 'BADNAME' | 'INVALID';

export class ScriptError extends Error {
  constructor(
    readonly code: ScriptErrorCode,
    message: string,
    /** for INVALID: the checker's error */
    readonly sieve?: SieveError,
  ) {
    super(message);
    this.name = 'ScriptError';
  }
}

export interface ScriptLimits {
  maxScriptBytes: number;
  maxScripts: number;
}

export interface ScriptInfo {
  name: string;
  active: boolean;
  size: number;
}

// RFC 5804 §1.6: no CTL, LF, CR, LINE SEPARATOR, PARAGRAPH SEPARATOR; we also refuse "/"
// eslint-disable-next-line no-control-regex
const NAME = /^[^/\x00-\x1f\x7f\u0080-\u009f\u2028\u2029]{1,128}$/u;

export function validScriptName(name: string): boolean {
  return NAME.test(name) && name.trim() === name;
}

type Kv = Pick<KvOps, 'kvGet' | 'kvList' | 'kvSet' | 'kvDelete'>;

export class SieveScripts {
  constructor(
    private readonly kv: Kv,
    readonly limits: ScriptLimits,
  ) {}

  private name(name: string): string {
    if (!validScriptName(name)) throw new ScriptError('BADNAME', `invalid script name ${JSON.stringify(name.slice(0, 64))}: 1 to 128 characters, no "/" or control characters`);
    return PREFIX + name;
  }

  async list(accountId: AccountId | null): Promise<ScriptInfo[]> {
    const [entries, active] = await Promise.all([this.kv.kvList(SIEVE_NS, accountId, { prefix: PREFIX }), this.activeName(accountId)]);
    return entries.map((e) => {
      const name = e.key.slice(PREFIX.length);
      return { name, active: name === active, size: Buffer.byteLength(e.value) };
    });
  }

  async get(accountId: AccountId | null, name: string): Promise<string | null> {
    const key = this.name(name);
    return (await this.kv.kvGet(SIEVE_NS, accountId, [key])).get(key)?.value ?? null;
  }

  async activeName(accountId: AccountId | null): Promise<string | null> {
    return (await this.kv.kvGet(SIEVE_NS, accountId, [ACTIVE])).get(ACTIVE)?.value ?? null;
  }

  /** the active script's name and text, or null */
  async active(accountId: AccountId): Promise<{ name: string; text: string } | null> {
    const name = await this.activeName(accountId);
    if (name === null) return null;
    const text = await this.get(accountId, name);
    return text === null ? null : { name, text };
  }

  /** RFC 5804 §2.3 HAVESPACE: throws QUOTA/* when a script of this size could not be stored */
  async checkSpace(accountId: AccountId | null, name: string, size: number): Promise<void> {
    this.name(name);
    if (size > this.limits.maxScriptBytes) throw new ScriptError('QUOTA/MAXSIZE', `script larger than ${this.limits.maxScriptBytes} bytes (sieve.max_script_bytes)`);
    const names = (await this.list(accountId)).map((s) => s.name);
    if (!names.includes(name) && names.length >= this.limits.maxScripts)
      throw new ScriptError('QUOTA/MAXSCRIPTS', `already ${names.length} scripts, the most allowed (sieve.max_scripts); delete one first`);
  }

  /** checks the script (ScriptError INVALID with the checker's error) and stores it */
  async put(accountId: AccountId | null, name: string, text: string): Promise<void> {
    const key = this.name(name);
    await this.checkSpace(accountId, name, Buffer.byteLength(text));
    const verdict = checkScript(text);
    if (!verdict.ok) throw new ScriptError('INVALID', verdict.error.message, verdict.error);
    await this.kv.kvSet(SIEVE_NS, accountId, [{ key, value: text }]);
  }

  /** RFC 5804 §2.8: "" deactivates */
  async setActive(accountId: AccountId, name: string): Promise<void> {
    if (name === '') {
      await this.kv.kvDelete(SIEVE_NS, accountId, [ACTIVE]);
      return;
    }
    if ((await this.get(accountId, name)) === null) throw new ScriptError('NONEXISTENT', `there is no script named ${JSON.stringify(name)}`);
    await this.kv.kvSet(SIEVE_NS, accountId, [{ key: ACTIVE, value: name }]);
  }

  async delete(accountId: AccountId | null, name: string): Promise<void> {
    const key = this.name(name);
    if ((await this.activeName(accountId)) === name) throw new ScriptError('ACTIVE', `script ${JSON.stringify(name)} is active; deactivate it first`);
    if ((await this.kv.kvDelete(SIEVE_NS, accountId, [key])) === 0) throw new ScriptError('NONEXISTENT', `there is no script named ${JSON.stringify(name)}`);
  }

  /** RFC 5804 §2.11.1: the active script stays active under its new name */
  async rename(accountId: AccountId | null, from: string, to: string): Promise<void> {
    const oldKey = this.name(from);
    const newKey = this.name(to);
    const text = await this.get(accountId, from);
    if (text === null) throw new ScriptError('NONEXISTENT', `there is no script named ${JSON.stringify(from)}`);
    if (from === to) return;
    if ((await this.get(accountId, to)) !== null) throw new ScriptError('ALREADYEXISTS', `a script named ${JSON.stringify(to)} already exists`);
    const wasActive = (await this.activeName(accountId)) === from;
    await this.kv.kvSet(SIEVE_NS, accountId, [{ key: newKey, value: text }, ...(wasActive ? [{ key: ACTIVE, value: to }] : [])]);
    await this.kv.kvDelete(SIEVE_NS, accountId, [oldKey]);
  }
}
