/**
 * Worker thread of parse-pool.ts: indexes a message and extracts its search text, so a
 * burst of deliveries parses on another core while the main thread commits.
 * In: { id, raw: Uint8Array, maxDepth? }. Out: { id, fields } or { id, error }.
 */
import { parentPort } from 'node:worker_threads';
import { prepareFields } from './rows.js';

parentPort?.on('message', (msg: { id: number; raw: Uint8Array; maxDepth?: number }) => {
  try {
    const raw = Buffer.from(msg.raw.buffer, msg.raw.byteOffset, msg.raw.byteLength);
    parentPort!.postMessage({ id: msg.id, fields: prepareFields(raw, undefined, msg.maxDepth) });
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, error: (err as Error).message });
  }
});
