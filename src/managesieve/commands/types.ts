/** One ManageSieve command: its name, the states it is valid in and its handler. */
import type { ManageSieveSession, ManageSieveState } from '../session.js';
import type { Arg } from '../wire/reader.js';

export interface ManageSieveCommand {
  name: string;
  states: readonly ManageSieveState[];
  run(session: ManageSieveSession, args: Arg[]): Promise<void>;
}
