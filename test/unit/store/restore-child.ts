/**
 * Child process of sqlite-crossprocess.test.ts, standing in for `letterbox user restore`:
 * opens the store next to a running "server", restores an account's retained POP3
 * messages and exits. argv: <dataDir> <address>
 */
import { openSqliteStore } from '../../../src/store/sqlite/index.js';

const [dir, address] = process.argv.slice(2) as [string, string];
const store = await openSqliteStore(dir);
const account = await store.getAccount(address);
if (!account) throw new Error(`no account ${address}`);
const n = await store.pop3Restore(account.id);
await store.close();
process.stdout.write(`restored ${n}\n`);
