/**
 * The protocol entry points `serve` starts, in one place. Each module is owned by its
 * protocol: IMAP (src/imap/server.ts), POP3 (src/pop3/server.ts), SMTP (src/smtp/server.ts,
 * src/smtp/queue/runner.ts), HTTP (src/http/server.ts).
 */
import type * as net from 'node:net';
import type { ServerContext } from '../context.js';
import type { ConnectionInfo, RunningListener } from '../net/types.js';
import type { Config } from '../config/schema.js';

type ListenerConfig = Config['listeners']['imap'];

export interface Protocols {
  handleImapConnection(socket: net.Socket, info: ConnectionInfo, ctx: ServerContext): void;
  handlePop3Connection(socket: net.Socket, info: ConnectionInfo, ctx: ServerContext): void;
  startSmtp(ctx: ServerContext, name: 'smtp' | 'submission' | 'submissions', listener: ListenerConfig): Promise<RunningListener>;
  startHttp(ctx: ServerContext, listener: ListenerConfig): Promise<{ port: number; address?: string; close(graceMs?: number): Promise<void> }>;
  startQueueRunner(ctx: ServerContext): { stop(): Promise<void> };
}

// Modules written in parallel by other helpers are loaded by computed path until they all
// exist; then this becomes plain static imports.
const load = async (path: string): Promise<Record<string, any> | null> => {
  try {
    return (await import(path)) as Record<string, any>;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String((e as Error).message).includes(path.slice(3, -3))) return null;
    throw e;
  }
};

export async function loadProtocols(): Promise<Partial<Protocols>> {
  const [imap, pop3, smtp, http, queue] = await Promise.all(
    ['../imap/server', '../pop3/server', '../smtp/server', '../http/server', '../smtp/queue/runner'].map((p) => load(p + '.js')),
  );
  return {
    handleImapConnection: imap?.handleImapConnection,
    handlePop3Connection: pop3?.handlePop3Connection,
    startSmtp: smtp?.startSmtp,
    startHttp: http?.startHttp,
    startQueueRunner: queue?.startQueueRunner,
  };
}
