/**
 * A whole letterbox (startServer, as `letterbox serve` runs it: the spam classifier and
 * its learning wired in) on loopback ports, asking the test DNS server for everything
 * (`dns.servers`), with helpers to read what landed in which mailbox.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/load.js';
import { startServer, type RunningServer } from '../../../src/cli/server.js';
import { makeSelfSigned } from '../../../src/net/tls.js';
import type { Account } from '../../../src/store/types.js';

export const HOST = 'mail.example.test';
let cert: Promise<{ cert: string; key: string }> | null = null;

export interface TrustServer {
  server: RunningServer;
  dataDir: string;
  port(name: string): number;
  addUser(address: string, password: string): Promise<Account>;
  /** raw messages in one of the account's mailboxes, ascending UID */
  messages(address: string, mailbox: string): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startTrustServer(dnsServer: string, extraToml = ''): Promise<TrustServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'letterbox-trust-'));
  cert ??= makeSelfSigned(HOST);
  const pem = await cert;
  writeFileSync(join(dataDir, 'cert.pem'), pem.cert);
  writeFileSync(join(dataDir, 'key.pem'), pem.key);
  let text = `hostname = "${HOST}"\ndata_dir = "${dataDir}"\n[store]\nbackend = "memory"\n[log]\nlevel = "${process.env.LETTERBOX_TEST_LOG ?? 'silent'}"\n`;
  text += `[tls]\ncert = "cert.pem"\nkey = "key.pem"\n[dns]\nservers = ["${dnsServer}"]\ntimeout_ms = 2000\n`;
  text += `[auth]\nplaintext_allowed_from = ["127.0.0.1"]\n`;
  for (const n of ['smtp', 'submission', 'imap']) text += `[listeners.${n}]\naddress = "127.0.0.1"\nport = 0\n`;
  for (const n of ['submissions', 'imaps', 'pop3', 'pop3s', 'managesieve', 'http', 'https']) text += `[listeners.${n}]\nenabled = false\n`;
  text += extraToml;
  const config = parseConfig(text, join(dataDir, 'letterbox.toml'), dataDir);
  const server = await startServer(config, { print: () => {} });
  const { store, auth } = server.ctx;
  return {
    server,
    dataDir,
    port(name) {
      const l = server.listeners.find((x) => x.name === name);
      if (!l) throw new Error(`no listener ${name}`);
      return l.port;
    },
    async addUser(address, password) {
      const domain = address.slice(address.lastIndexOf('@') + 1);
      if (!(await store.getDomain(domain))) await store.addDomain(domain);
      return store.createAccount(address, await auth.hashPassword(password));
    },
    async messages(address, mailbox) {
      const account = await store.getAccount(address);
      if (!account) throw new Error(`no account ${address}`);
      const mb = await store.getMailbox(account.id, mailbox);
      if (!mb) throw new Error(`no mailbox ${mailbox}`);
      const metas = await store.getMessages(account.id, mb.id, [[1, Infinity]]);
      return Promise.all(metas.map(async (m) => (await store.getRaw(account.id, mb.id, m.uid)).toString('utf8')));
    },
    async stop() {
      await server.stop(200);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
