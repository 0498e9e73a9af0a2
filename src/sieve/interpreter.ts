/**
 * The interpreter (RFC 5228 §2.10): runs a compiled script against one message and
 * returns the actions to take. Implicit keep (§2.10.2) applies unless an action cancelled
 * it; on any run-time error the caller keeps the message (§2.10.6) — nothing here has
 * side effects, actions are only collected. include/return/stop are handled here
 * (RFC 6609 §3.2), bounded by the include depth; CPU time is bounded by the runtime.
 */
import { compileScript, type Branch, type CompiledScript } from './check.js';
import { SieveError, SieveRuntimeError } from './core/errors.js';
import { Runtime } from './core/runtime.js';
import type { CheckedNode } from './core/spec.js';
import type { SieveAction, SieveEnvironment, SieveResult } from './core/types.js';

type Flow = 'stop' | 'return' | undefined;

export interface RunOptions {
  /** the running script's name (include loops, messages) */
  name?: string;
}

export async function runScript(script: CompiledScript, env: SieveEnvironment, opts: RunOptions = {}): Promise<SieveResult> {
  const name = opts.name ?? 'main';
  const rt = new Runtime(env, { vars: new Map(), globals: new Set(), capabilities: script.capabilities, name });
  const stack = [`personal:${name}`];

  async function block(commands: CheckedNode[]): Promise<Flow> {
    for (const c of commands) {
      rt.pos = c.pos;
      rt.tick();
      switch (c.name) {
        case 'if': {
          for (const b of c.data.branches as Branch[]) {
            if (b.test === null || (await test(b.test))) {
              const f = await block(b.block);
              if (f) return f;
              break;
            }
          }
          continue;
        }
        case 'stop':
          return 'stop';
        case 'return':
          return 'return';
        case 'include': {
          const f = await include(c);
          if (f === 'stop') return f;
          continue;
        }
        default: {
          const spec = c.spec;
          if (spec.kind === 'command' && spec.run) await spec.run(c, rt);
        }
      }
    }
    return undefined;
  }

  async function test(t: CheckedNode): Promise<boolean> {
    rt.pos = t.pos;
    rt.tick();
    return t.spec.kind === 'test' ? t.spec.run(t, rt) : false;
  }

  const compiled = new Map<string, CompiledScript>();

  async function include(c: CheckedNode): Promise<Flow> {
    const scriptName = c.data.script as string;
    const location = c.data.location as 'personal' | 'global';
    const key = `${location}:${scriptName}`;
    if (c.tags.has('once') && rt.included.has(key)) return undefined;
    if (stack.includes(key)) rt.fail(`include loop: "${scriptName}" includes itself`, 'include');
    if (stack.length > env.limits.maxIncludeDepth) rt.fail(`includes nested deeper than ${env.limits.maxIncludeDepth}`, 'limit');
    let sub = compiled.get(key);
    if (!sub) {
      const text = await rt.wait(env.loadScript(scriptName, location));
      if (text === null) {
        if (c.tags.has('optional')) return undefined;
        return rt.fail(`included ${location} script "${scriptName}" does not exist`, 'include');
      }
      try {
        sub = compileScript(text);
      } catch (e) {
        if (e instanceof SieveError) rt.fail(`included script "${scriptName}" is invalid: ${e.message}`, 'include');
        throw e;
      }
      compiled.set(key, sub);
    }
    rt.included.add(key);
    const saved = rt.scope;
    rt.scope = { vars: new Map(), globals: new Set(), capabilities: sub.capabilities, name: scriptName };
    stack.push(key);
    try {
      const f = await block(sub.commands);
      return f === 'stop' ? 'stop' : undefined;
    } finally {
      stack.pop();
      rt.scope = saved;
    }
  }

  await block(script.commands);
  rt.pos = undefined;
  if (rt.implicitKeep) rt.actions.push({ type: 'keep', flags: script.capabilities.has('imap4flags') ? [...rt.flags] : [], raw: rt.view.current(), implicit: true });
  checkConflicts(rt.actions);
  return { actions: dedupe(rt.actions), duplicates: rt.duplicates, notes: rt.notes };
}

/** RFC 5429 §2.1, RFC 5230 §4.7: a rejection excludes every other delivery and vacation */
function checkConflicts(actions: SieveAction[]): void {
  const rejects = actions.filter((a) => a.type === 'reject');
  if (rejects.length === 0) return;
  if (rejects.length > 1) throw new SieveRuntimeError('the script rejects the message more than once', 'conflict');
  const other = actions.find((a) => a.type === 'fileinto' || a.type === 'redirect' || a.type === 'vacation' || (a.type === 'keep' && !a.implicit));
  if (other) throw new SieveRuntimeError(`reject cannot be combined with ${other.type}`, 'conflict');
}

/** one copy per mailbox and per redirect address (RFC 5228 §2.10.3); flags of the copies merged */
function dedupe(actions: SieveAction[]): SieveAction[] {
  const out: SieveAction[] = [];
  const seen = new Map<string, SieveAction>();
  for (const a of actions) {
    const key = a.type === 'keep' ? 'mailbox:INBOX' : a.type === 'fileinto' ? (a.mailbox.toUpperCase() === 'INBOX' ? 'mailbox:INBOX' : `mailbox:${a.mailbox}`) : a.type === 'redirect' ? `redirect:${a.address}` : null;
    if (key === null) {
      out.push(a);
      continue;
    }
    const prev = seen.get(key);
    if (!prev) {
      seen.set(key, a);
      out.push(a);
      continue;
    }
    if ((prev.type === 'keep' || prev.type === 'fileinto') && (a.type === 'keep' || a.type === 'fileinto')) {
      for (const f of a.flags) if (!prev.flags.some((p) => p.toLowerCase() === f.toLowerCase())) prev.flags.push(f);
    }
  }
  return out;
}
