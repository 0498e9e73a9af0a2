/**
 * Shapes shared by the web pages: the hono app type with its per-request variables, the
 * signed-in user, the services the server hands the pages, and what a feature declares.
 *
 * Adding a page: write a file under ./pages/ exporting a WebFeature (its routes and, if it
 * should appear in the navigation, a nav entry), then add it to the list in ./features.ts.
 * Routes under /account/ need a signed-in user and routes under /admin/ an admin: ./app.ts
 * guards both prefixes, and checks the CSRF token of every form POST, before any feature runs.
 */
import type { Hono, Context } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import type { ServerContext } from '../../context.js';
import type { Account } from '../../store/types.js';
import type { MetricsRegistry } from '../../metrics/registry.js';

export interface WebUser {
  account: Account;
  /** the key of this browser sign-in (./session.ts) */
  session: string;
  /** "password" or an app password id */
  credential: string;
  admin: boolean;
}

export interface WebVariables {
  user: WebUser | null;
  /** the token every form on the page must send back as _csrf */
  csrf: string;
  /** the request came over TLS */
  secure: boolean;
  /** the client's address (normalised) */
  ip: string;
  /** every feature's navigation entries */
  nav: NavEntry[];
}

export type WebEnv = { Bindings: HttpBindings; Variables: WebVariables };
export type WebApp = Hono<WebEnv>;
export type WebContext = Context<WebEnv>;

export interface ListenerStatus {
  name: string;
  address: string;
  port: number;
  tls: string;
}

/** what `serve` hands the pages besides the ServerContext */
export interface WebServices {
  metrics?: MetricsRegistry;
  /** the running listeners (admin status page) */
  listeners?: () => ListenerStatus[];
  /** the answer to an ACME http-01 challenge token, or null */
  acmeChallenge?: (token: string) => string | null;
  /** certificate status for the admin status page */
  certificate?: () => { subject: string; notAfter: Date; issuer: string; source: string } | null;
  /** makes a backup of the store into <data_dir>/backups; resolves to the file name */
  backup?: () => Promise<string>;
  startedAt?: Date;
  /** a domain was added or removed (ACME orders a certificate with its names) */
  domainsChanged?: () => void;
}

export interface NavEntry {
  area: 'account' | 'admin';
  label: string;
  href: string;
  /** position in the menu (lower first) */
  order: number;
}

export interface WebFeature {
  name: string;
  nav?: NavEntry[];
  routes(app: WebApp, ctx: ServerContext, services: WebServices): void;
}
