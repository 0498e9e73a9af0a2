/**
 * Child process of sqlite-durability.test.ts: appends numbered messages to INBOX as fast as
 * it can (many in flight, so group commit is exercised) and prints "ack <n> <uid>" only
 * after each append's promise resolved. The parent SIGKILLs it mid-stream.
 * argv: <dataDir>
 */
import { openSqliteStore } from '../../../src/store/sqlite/index.js';
import { durableMessage } from './durability-fixture.js';

const dir = process.argv[2]!;
const store = await openSqliteStore(dir);
if (!(await store.getDomain('example.test'))) await store.addDomain('example.test');
const account = (await store.getAccount('d@example.test')) ?? (await store.createAccount('d@example.test', 'x'));
const inbox = (await store.getMailbox(account.id, 'INBOX'))!;
process.stdout.write('ready\n');
let n = 0;
async function worker(): Promise<void> {
  for (;;) {
    const i = n++;
    const r = await store.append(account.id, inbox.id, { raw: durableMessage(i) });
    process.stdout.write(`ack ${i} ${r.uid}\n`);
  }
}
await Promise.all(Array.from({ length: 16 }, worker));
