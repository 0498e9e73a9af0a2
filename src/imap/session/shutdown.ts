/**
 * One abort listener per shutdown signal for all sessions (thousands of sessions adding
 * their own listener would trip Node's listener-leak warning and cost memory per session).
 */
const registry = new WeakMap<AbortSignal, Set<() => void>>();

/** calls fn when the signal aborts; returns an unregister function */
export function onShutdown(signal: AbortSignal, fn: () => void): () => void {
  let set = registry.get(signal);
  if (!set) {
    const fns = new Set<() => void>();
    set = fns;
    registry.set(signal, fns);
    signal.addEventListener('abort', () => {
      for (const f of [...fns]) f();
      fns.clear();
    }, { once: true });
  }
  set.add(fn);
  const s = set;
  return () => s.delete(fn);
}
