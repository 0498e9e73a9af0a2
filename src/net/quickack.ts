/**
 * Prompt acknowledgements: no client waits on the server's delayed-ACK timer.
 *
 * Most clients leave Nagle's algorithm on. A client that writes a command in two pieces
 * (imaplib sends an APPEND literal, then its closing CRLF; some SMTP clients send the
 * final "." apart from the message) holds the second, small piece until the first is
 * acknowledged. Linux delays the ACK of data it receives on a request/response
 * connection ("pingpong" mode) for 40 ms or more, hoping to piggyback it on a reply;
 * but the server cannot reply to half a command, so each such command stalled 40 ms
 * (imaplib: 22 APPENDs per second instead of hundreds).
 *
 * After the server has read and taken in data, it sets TCP_QUICKACK (as Dovecot does
 * after each write): the kernel sends the ACK it owes at once and leaves pingpong mode.
 * The option is not sticky, so it is set after every read. Node has no setsockopt, so
 * this uses the `sockopt` addon (N-API, prebuilt for linux-x64); where it cannot load
 * (another OS, a failed build), acknowledgements follow the kernel's defaults.
 */
import type * as net from 'node:net';
import { createRequire } from 'node:module';

const IPPROTO_TCP = 6;
const TCP_QUICKACK = 12; // linux/tcp.h

type SetSockOpt = (socket: net.Socket, level: number, option: number, value: number) => void;

let setsockopt: SetSockOpt | null | undefined;

function load(): SetSockOpt | null {
  if (setsockopt !== undefined) return setsockopt;
  setsockopt = null;
  if (process.platform !== 'linux') return null;
  try {
    const mod = createRequire(import.meta.url)('sockopt') as { setsockopt: SetSockOpt };
    setsockopt = mod.setsockopt;
  } catch {
    setsockopt = null;
  }
  return setsockopt;
}

/** true when prompt acknowledgements are available on this platform */
export function quickAckAvailable(): boolean {
  return load() !== null;
}

/**
 * Returns a function that makes the kernel acknowledge what `raw` (an accepted TCP socket,
 * not a TLS wrapper) has received, now. It does nothing once the socket is closed, so a
 * reused file descriptor is never touched.
 */
export function promptAcker(raw: net.Socket): () => void {
  const set = load();
  if (!set) return noop;
  let open = true;
  raw.once('close', () => (open = false));
  return () => {
    if (!open || raw.destroyed) return;
    try {
      set(raw, IPPROTO_TCP, TCP_QUICKACK, 1);
    } catch {
      open = false; // not a TCP socket (a test's socket pair) or already closing
    }
  };
}

function noop(): void {}
