/**
 * Listener contracts (implemented in ./listener.ts and ./tls.ts). IMAP and POP3 get an
 * accepted socket and upgrade it themselves on STARTTLS/STLS through the TlsProvider;
 * SMTP runs smtp-server instances and takes their TLS options from the same provider.
 */
import type * as net from 'node:net';
import type * as tls from 'node:tls';
import type { TlsMode } from '../config/schema.js';
import type { ConnectionSource } from './handoff.js';

export interface TlsProvider {
  /** options for tls.createServer / smtp-server: key, cert, SNICallback, minVersion TLSv1.2 */
  serverOptions(): tls.TlsOptions;
  /** STARTTLS: wraps an accepted plain socket as a server-side TLS socket; resolves after the handshake */
  upgrade(socket: net.Socket): Promise<tls.TLSSocket>;
  /**
   * Calls `listener` whenever the certificates change (renewed files, ACME); returns a function
   * that stops it. Listeners that copied serverOptions() (smtp-server) refresh their copy here.
   */
  onChange?(listener: () => void): () => void;
}

export interface ConnectionInfo {
  /** listener name from the configuration: "imap", "imaps", "pop3", ... */
  listener: string;
  /** true when the connection is already TLS (implicit TLS listener) */
  secure: boolean;
  /** the listener allows STARTTLS/STLS */
  startTls: boolean;
  remoteAddress: string;
  remotePort: number;
  /** unique id for logs */
  id: string;
  /**
   * Sessions call this after taking in received data: the kernel acknowledges it now rather
   * than on its delayed-ACK timer (./quickack.ts). Absent for sockets not accepted by a listener.
   */
  ackNow?: () => void;
}

export type ConnectionHandler = (socket: net.Socket, info: ConnectionInfo) => void;

export interface ListenerOptions {
  name: string;
  address: string;
  port: number;
  tls: TlsMode;
  maxConnectionsPerIp: number;
  /** open connections on this listener at most (limits.connections_per_listener); further ones are refused like the per-IP limit */
  maxConnections?: number;
  /** IPv6 clients count per prefix of this length against maxConnectionsPerIp (default 64) */
  ipv6PrefixLength?: number;
  /** called instead of the handler when the per-IP limit is exceeded (write a protocol error, then end) */
  onReject?: (socket: net.Socket, reason: string) => void;
  /** a worker of `serve --workers N`: take the primary's connections instead of listening (./handoff.ts) */
  source?: ConnectionSource;
}

export interface RunningListener {
  name: string;
  address: string;
  port: number;
  /** open connections */
  readonly connections: ReadonlySet<net.Socket>;
  /** stops accepting; resolves when every connection has closed or after graceMs (then destroys the rest) */
  close(graceMs?: number): Promise<void>;
}
