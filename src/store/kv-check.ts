/** Argument checks every backend applies to the keyed-state API (kv-types.ts). */
import { KV_MAX_KEY, KV_MAX_VALUE } from './kv-types.js';
import { StoreError } from './types.js';

export function checkKvKey(ns: string, key: string): void {
  if (ns.length === 0 || Buffer.byteLength(ns) > 128) throw new StoreError('INVALID', 'a keyed-state namespace must be 1 to 128 bytes');
  if (Buffer.byteLength(key) > KV_MAX_KEY) throw new StoreError('LIMIT', `key longer than ${KV_MAX_KEY} bytes in ${ns}`);
}

export function checkKvValue(ns: string, value: string): void {
  if (Buffer.byteLength(value) > KV_MAX_VALUE) throw new StoreError('LIMIT', `value larger than ${KV_MAX_VALUE} bytes in ${ns}`);
}

export function checkKvDelta(delta: number): void {
  if (!Number.isSafeInteger(delta)) throw new StoreError('INVALID', 'kvAdd needs an integer delta');
}
