/**
 * The state of one script run: the message view, variables (RFC 5229) and their global
 * scope (RFC 6609), the imap4flags internal variable (RFC 5232), the actions taken so far,
 * and the CPU budget. Extension code receives it as `rt`.
 */
import { performance } from 'node:perf_hooks';
import { SieveRuntimeError, type SourcePos } from './errors.js';
import type { MatchHost } from './match.js';
import { MessageView } from './message.js';
import type { Str } from './strings.js';
import type { SieveAction, SieveEnvironment } from './types.js';

/** RFC 5229 §3: longest value a variable keeps (longer values are truncated) */
export const MAX_VARIABLE_BYTES = 64 * 1024;

export interface Scope {
  vars: Map<string, string>;
  /** names this script declared global (RFC 6609 §3.3) */
  globals: Set<string>;
  /** capabilities of the running script */
  capabilities: ReadonlySet<string>;
  /** name of the running script (for :once and loops) */
  name: string;
}

export class Runtime implements MatchHost {
  readonly view: MessageView;
  readonly actions: SieveAction[] = [];
  readonly notes: string[] = [];
  readonly duplicates: Array<{ id: string; seconds: number }> = [];
  implicitKeep = true;
  /** RFC 5232 §3: the internal flags variable */
  flags: string[] = [];
  /** RFC 6609 §3.3: variables shared between scripts */
  readonly globals = new Map<string, string>();
  /** scripts included so far (RFC 6609 :once) */
  readonly included = new Set<string>();
  scope: Scope;
  matchVars: string[] = [];
  redirects = 0;
  /** the position of the command being run (for error messages) */
  pos: SourcePos | undefined;

  private readonly started = performance.now();
  private waited = 0;
  private units = 0;

  constructor(
    readonly env: SieveEnvironment,
    scope: Scope,
  ) {
    this.view = new MessageView(env.message);
    this.scope = scope;
  }

  get setMatches(): ((values: string[]) => void) | null {
    return this.scope.capabilities.has('variables') ? (values) => (this.matchVars = values) : null;
  }

  /** pays for work; throws once the run is over its CPU time */
  tick(units = 1): void {
    this.units += units;
    if (this.units < 2000) return;
    this.units = 0;
    const busy = performance.now() - this.started - this.waited;
    if (busy > this.env.limits.cpuMs) throw new SieveRuntimeError(`script ran longer than ${this.env.limits.cpuMs} ms of CPU time`, 'cpu', this.pos);
  }

  /** awaits the environment without charging the wait to the script */
  async wait<T>(value: T | Promise<T>): Promise<T> {
    if (!(value instanceof Promise)) return value;
    const t = performance.now();
    try {
      return await value;
    } finally {
      this.waited += performance.now() - t;
    }
  }

  getVariable(name: string): string {
    return (this.scope.globals.has(name) ? this.globals.get(name) : this.scope.vars.get(name)) ?? '';
  }

  setVariable(name: string, value: string): void {
    if (value.length > MAX_VARIABLE_BYTES) value = value.slice(0, MAX_VARIABLE_BYTES);
    if (this.scope.globals.has(name)) this.globals.set(name, value);
    else this.scope.vars.set(name, value);
  }

  expand(s: Str): string {
    if (typeof s === 'string') return s;
    let out = '';
    for (const p of s) {
      if (typeof p === 'string') out += p;
      else if ('variable' in p) out += this.getVariable(p.variable);
      else out += this.matchVars[p.match] ?? '';
      if (out.length > MAX_VARIABLE_BYTES) break;
    }
    this.tick(1 + (out.length >> 8));
    return out;
  }

  expandList(list: readonly Str[]): string[] {
    return list.map((s) => this.expand(s));
  }

  fail(message: string, kind: SieveRuntimeError['kind'] = 'internal'): never {
    throw new SieveRuntimeError(message, kind, this.pos);
  }

  addAction(a: SieveAction): void {
    if (this.actions.length >= this.env.limits.maxActions) this.fail(`more than ${this.env.limits.maxActions} actions`, 'limit');
    this.actions.push(a);
  }
}
