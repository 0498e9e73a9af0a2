/** MOVE / UID MOVE (RFC 6851): copy and expunge in one store transaction; see ./copy.ts. */
import { SELECTED, type ImapCommand } from '../session/types.js';
import { copyOrMove } from './copy.js';

export const moveCmd: ImapCommand = { name: 'MOVE', states: SELECTED, progress: true, sequenceNumbers: true, run: (s, r) => copyOrMove(s, r, false, true) };
export const uidMoveCmd: ImapCommand = { name: 'UID MOVE', states: SELECTED, progress: true, run: (s, r) => copyOrMove(s, r, true, true) };
