/**
 * Per-server state of the delivery filter: the script repository, a cache of compiled
 * scripts (by text, so an edited script is recompiled at once) and the limits taken from
 * the configuration.
 */
import type { ServerContext } from '../../context.js';
import { compileScript, DEFAULT_LIMITS, type CompiledScript, type SieveLimits } from '../../sieve/index.js';
import { SieveScripts } from '../../sieve/scripts.js';

const CACHE_SIZE = 256;

export interface FilterContext {
  scripts: SieveScripts;
  limits: SieveLimits;
  compile(text: string): CompiledScript;
}

const contexts = new WeakMap<ServerContext, FilterContext>();

export function filterContext(ctx: ServerContext): FilterContext {
  let f = contexts.get(ctx);
  if (f) return f;
  const c = ctx.config.sieve;
  const cache = new Map<string, CompiledScript>();
  f = {
    scripts: new SieveScripts(ctx.store, { maxScriptBytes: c.max_script_bytes, maxScripts: c.max_scripts }),
    limits: {
      ...DEFAULT_LIMITS,
      maxActions: c.max_actions,
      maxRedirects: c.max_redirects,
      maxIncludeDepth: c.max_include_depth,
      cpuMs: c.cpu_time_ms,
      vacationMinSeconds: c.vacation_min_period_s,
      vacationMaxSeconds: Math.max(c.vacation_min_period_s, c.vacation_max_period_s),
      duplicateMaxSeconds: c.duplicate_max_period_s,
    },
    compile(text) {
      let s = cache.get(text);
      if (s) {
        cache.delete(text);
        cache.set(text, s);
        return s;
      }
      s = compileScript(text);
      cache.set(text, s);
      if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
      return s;
    },
  };
  contexts.set(ctx, f);
  return f;
}

/** keyed-state namespaces of the delivery filter (src/store/kv-types.ts) */
export const DUPLICATE_NS = 'sieve.duplicate';
export const VACATION_NS = 'sieve.vacation';
