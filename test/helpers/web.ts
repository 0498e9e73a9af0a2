/**
 * A whole letterbox server for web tests (every listener on 127.0.0.1, port 0, the memory
 * store unless asked otherwise), and a small cookie-keeping HTTP client that signs in and
 * sends forms the way a browser does (with the page's CSRF token), or deliberately without.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../../src/config/schema.js';
import { startServer, type RunningServer } from '../../src/cli/server.js';
import { makeSelfSigned, type PemPair } from '../../src/net/tls.js';
import { setAdmin } from '../../src/auth/roles.js';
import type { Account } from '../../src/store/types.js';

export const WEB_HOST = 'mail.example.test';
const NAMES = ['smtp', 'submission', 'submissions', 'imap', 'imaps', 'pop3', 'pop3s', 'managesieve', 'http', 'https'] as const;
let cert: Promise<PemPair> | null = null;

export interface WebServer {
  server: RunningServer;
  dataDir: string;
  port(name: (typeof NAMES)[number]): number;
  url(path?: string, listener?: 'http' | 'https'): string;
  addUser(address: string, password: string, opts?: { admin?: boolean }): Promise<Account>;
  stop(): Promise<void>;
}

export async function startWebServer(overrides: Record<string, unknown> = {}, opts: { backend?: 'memory' | 'sqlite' } = {}): Promise<WebServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'letterbox-web-'));
  cert ??= makeSelfSigned(WEB_HOST);
  const pem = await cert;
  mkdirSync(join(dataDir, 'tls'), { recursive: true });
  writeFileSync(join(dataDir, 'tls', 'cert.pem'), pem.cert);
  writeFileSync(join(dataDir, 'tls', 'key.pem'), pem.key, { mode: 0o600 });
  const listeners = Object.fromEntries(NAMES.map((n) => [n, { address: '127.0.0.1', port: 0 }]));
  const config = defaultConfig({
    hostname: WEB_HOST,
    data_dir: dataDir,
    store: { backend: opts.backend ?? 'memory' },
    log: { level: process.env.LETTERBOX_TEST_LOG ?? 'silent' },
    auth: { plaintext_allowed_from: ['127.0.0.1'] },
    ...overrides,
    listeners: { ...listeners, ...((overrides.listeners as object) ?? {}) },
  });
  const server = await startServer(config, { print: () => {} });
  const port = (name: string) => {
    const l = server.listeners.find((x) => x.name === name);
    if (!l) throw new Error(`listener ${name} is not running`);
    return l.port;
  };
  return {
    server,
    dataDir,
    port,
    url: (path = '/', listener = 'http') => `${listener}://127.0.0.1:${port(listener)}${path}`,
    async addUser(address, password, o = {}) {
      const domain = address.slice(address.indexOf('@') + 1);
      const { store, auth } = server.ctx;
      if (!(await store.getDomain(domain))) await store.addDomain(domain);
      const account = await store.createAccount(address, await auth.hashPassword(password));
      if (o.admin) await setAdmin(store, account.id, true);
      return account;
    },
    async stop() {
      await server.stop(0);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface WebResponse {
  status: number;
  body: string;
  location: string | null;
}

/** cookies and the last page's CSRF token, like one browser */
export class WebClient {
  private cookies = new Map<string, string>();
  csrf = '';

  private readonly base: string;

  constructor(base: string) {
    this.base = base.replace(/\/+$/, '');
  }

  private async send(path: string, init: RequestInit): Promise<WebResponse> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(this.base + path, { ...init, headers, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (value === '' || /max-age=0/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const body = await res.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(body);
    if (token) this.csrf = token[1]!;
    return { status: res.status, body, location: res.headers.get('location') };
  }

  /** the Cookie header this client sends */
  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  get(path: string): Promise<WebResponse> {
    return this.send(path, { method: 'GET' });
  }

  /** a form POST; the page's CSRF token is added unless `csrf` says otherwise (null: none) */
  post(path: string, form: Record<string, string | string[]>, opts: { csrf?: string | null; origin?: string } = {}): Promise<WebResponse> {
    const body = new URLSearchParams();
    const token = opts.csrf === undefined ? this.csrf : opts.csrf;
    if (token !== null) body.append('_csrf', token);
    for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (opts.origin) headers.origin = opts.origin;
    return this.send(path, { method: 'POST', body: body.toString(), headers });
  }

  async signIn(address: string, password: string): Promise<WebResponse> {
    await this.get('/login');
    const r = await this.post('/login', { address, password, next: '/account' });
    if (r.status === 303) await this.get('/account');
    return r;
  }
}
