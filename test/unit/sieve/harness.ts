/** Runs a script over a message given as text, with a plain-data environment. */
import { indexMessage } from '../../../src/mime/index.js';
import { compileScript, runScript, DEFAULT_LIMITS, type SieveEnvironment, type SieveResult } from '../../../src/sieve/index.js';

export interface EnvOptions {
  from?: string;
  to?: string;
  user?: string;
  mailboxes?: string[];
  now?: Date;
  spam?: SieveEnvironment['spam'];
  scripts?: Record<string, string>;
  globalScripts?: Record<string, string>;
  seen?: Set<string>;
  limits?: Partial<SieveEnvironment['limits']>;
}

export function msg(headers: string, body = 'Hello\r\n'): string {
  return headers.trim().replace(/\r?\n/g, '\r\n') + '\r\n\r\n' + body;
}

export function envFor(message: string, o: EnvOptions = {}): SieveEnvironment {
  const raw = Buffer.from(message.includes('\r\n') ? message : message.replace(/\n/g, '\r\n'));
  return {
    message: { raw, index: () => indexMessage(raw) },
    envelope: { from: o.from ?? 'sender@example.org', to: o.to ?? 'user@example.com' },
    user: o.user ?? 'user@example.com',
    mailboxes: () => (o.mailboxes ?? ['INBOX', 'Junk', 'Trash']).map((name, i) => ({ name, id: `id${i + 1}` })),
    now: () => o.now ?? new Date('2026-03-01T12:00:00Z'),
    spam: o.spam ?? null,
    seenDuplicate: (id) => o.seen?.has(id) ?? false,
    loadScript: (name, location) => (location === 'global' ? o.globalScripts : o.scripts)?.[name] ?? null,
    limits: { ...DEFAULT_LIMITS, ...o.limits },
  };
}

export async function run(script: string, message: string, o: EnvOptions = {}): Promise<SieveResult> {
  return runScript(compileScript(script), envFor(message, o));
}

/** a compact view of the actions: "keep", "fileinto:Junk", "redirect:a@b", "discard", "reject:…" */
export function summary(r: SieveResult): string[] {
  return r.actions.map((a) => {
    switch (a.type) {
      case 'keep':
        return a.flags.length ? `keep[${a.flags.join(' ')}]` : 'keep';
      case 'fileinto':
        return `fileinto:${a.mailbox}${a.flags.length ? `[${a.flags.join(' ')}]` : ''}${a.create ? '+create' : ''}`;
      case 'redirect':
        return `redirect:${a.address}`;
      case 'discard':
        return 'discard';
      case 'reject':
        return `${a.extended ? 'ereject' : 'reject'}:${a.reason}`;
      case 'vacation':
        return `vacation:${a.to}`;
    }
  });
}

export async function actions(script: string, message: string, o: EnvOptions = {}): Promise<string[]> {
  return summary(await run(script, message, o));
}
