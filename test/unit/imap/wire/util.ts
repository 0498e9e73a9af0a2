import { CommandReader } from '../../../../src/imap/wire/reader.js';
import type { Token } from '../../../../src/imap/wire/tokens.js';

/** Runs a whole client command (literals included) through the reader; returns name and args. */
export function parseCommand(line: string | Buffer): { tag: string; name: string; args: Token[] } {
  const r = new CommandReader();
  r.push(Buffer.isBuffer(line) ? line : Buffer.from(line.endsWith('\n') ? line : line + '\r\n', 'utf8'));
  for (let ev = r.next(); ev; ev = r.next()) {
    if (ev.type === 'command') return ev;
    if (ev.type === 'error') throw new Error(`reader error: ${ev.message}`);
  }
  throw new Error('incomplete command');
}

export function argsOf(line: string | Buffer): Token[] {
  return parseCommand(line).args;
}
