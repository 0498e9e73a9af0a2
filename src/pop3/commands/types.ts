/** One POP3 command: its keyword, the states it is valid in (RFC 1939 §3) and its handler. */
import type { Pop3Session, Pop3State } from '../session.js';
import type { Pop3CommandLine } from '../wire/lines.js';

export interface Pop3Command {
  name: string;
  states: readonly Pop3State[];
  run(session: Pop3Session, cmd: Pop3CommandLine): Promise<void>;
}
