/** The typed argument parsers of the IMAP wire layer in one import (../index.ts describes them); the parsers depend on ../, never the reverse. */
export * from './cursor.js';
export * from './seqset.js';
export * from './mailbox.js';
export * from './flags.js';
export * from './fetch.js';
export * from './search.js';
export * from './store.js';
export * from './status.js';
export * from './list.js';
export * from './append.js';
export * from './misc.js';
export * from './sort.js';
export * from './notify.js';
export * from './imapurl.js';
