/** The command shape is declared by the session (../session/session.ts), which commands depend on, never the reverse. */
export type { Pop3Command } from '../session/session.js';
