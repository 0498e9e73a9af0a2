/**
 * Idle timeouts are the protocol session's business (RFC 9051 §5.4: IMAP at least 30 min;
 * RFC 1939 §3: POP3 at least 10 min; RFC 5321 §4.5.3.2 for SMTP). This helper arms one and
 * re-arms it on the socket a session moves to after STARTTLS.
 */
import type * as net from 'node:net';

/** calls onIdle once after `ms` without traffic; returns a function that disarms it */
export function setIdleTimeout(socket: net.Socket, ms: number, onIdle: () => void): () => void {
  const fire = () => onIdle();
  socket.setTimeout(ms);
  socket.once('timeout', fire);
  return () => {
    socket.setTimeout(0);
    socket.off('timeout', fire);
  };
}
