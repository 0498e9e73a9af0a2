/**
 * For targets whose parser lives inside a protocol session (SMTP's is smtp-server's, fed
 * by our hooks; POP3's dispatcher): the real listeners of the robustness fixture, one
 * connection per input, and the fixture's health check after it (no uncaught exception,
 * every protocol answers a fresh connection, the seeded message byte-exact).
 */
import { startFixture, RawClient, type Fixture } from '../robustness/harness.js';
import { inChunks } from './mutate.js';

export const FUZZ_USER = 'fuzzer@example.test';
export const FUZZ_PASS = 'fuzzer password 1';

export async function sessionFixture(): Promise<Fixture> {
  const f = await startFixture('memory');
  await f.t.addUser(FUZZ_USER, FUZZ_PASS);
  return f;
}

/** connects, waits for the greeting, sends `bytes` in pieces, lets the server answer, hangs up */
export async function converse(port: number, bytes: Buffer, cuts: readonly number[], settleMs = 150): Promise<string> {
  const c = await RawClient.connect(port);
  try {
    await c.until((t) => t.includes('\n'), 3000);
    for (const piece of inChunks(bytes, cuts)) c.write(piece);
    await c.until(() => c.closed, settleMs);
    return c.text;
  } finally {
    c.destroy();
  }
}
