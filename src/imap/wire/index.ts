/**
 * letterbox IMAP wire layer — PURE: no sockets, no store, no session state.
 * (RFC 9051 IMAP4rev2, RFC 3501 IMAP4rev1; extensions cited per file.)
 *
 * ── Reading commands ──────────────────────────────────────────────────────────
 *   const r = new CommandReader({ maxLineLength, maxLiteralSize, maxCommandLiteralBytes,
 *                                 maxNonSyncLiteral, maxDepth }); // maxNonSyncLiteral: 4096 for LITERAL-
 *   socket.on('data', (b) => { if (!r.push(b)) socket.pause(); pump(); });
 *   pump: for (;;) { const ev = r.next(); if (!ev) break; ... }   // pull model: pipelining-safe
 *     ev.type === 'command'      → { tag, name, args: Token[], size }  (name upper-case: "FETCH", "UID FETCH")
 *     ev.type === 'need-literal' → { tag, name, size, nonSync, binary }:
 *                                   sync: write encodeContinuation() or reply NO/BAD + r.rejectLiteral()
 *                                   nonSync: nothing to send (r.rejectLiteral() to skip its bytes)
 *     ev.type === 'error'        → { tag?, name?, code, message, fatal }: reply `${tag ?? '*'} BAD message`
 *                                   (code 'literal-too-big' on a sync literal: NO [TOOBIG]); close if fatal
 *   r.nextLine() → { type:'line', line: Buffer } | { type:'error', ... } | null   (AUTHENTICATE data, IDLE DONE)
 *   r.inCommand, r.buffered
 *
 * ── Tokens (tokens.ts) ───────────────────────────────────────────────────────
 *   Token = atom {value} | quoted {value} | literal {value: Buffer, binary} | list {items}
 *         | section {name: 'BODY'|'BODY.PEEK'|'BINARY'|'BINARY.PEEK'|'BINARY.SIZE', section: Token[], partial}
 *   isAtom(t, word?), tokenText(t), describeToken(t); tokenizeText(str) for tests
 *
 * ── Typed argument parsers (args/*.ts): Token[] (ev.args) → typed value, or throw WireError
 *   (err.code 'BAD' → tag BAD; 'BADCHARSET' → NO [BADCHARSET (UTF-8 US-ASCII)]; 'TOOBIG'/'LIMIT' → NO [..]).
 *   NameOptions = { utf8: boolean } — true after ENABLE IMAP4rev2 / UTF8=ACCEPT (else mUTF-7 names).
 *   See each export below; all documented in their files.
 *
 * ── Encoding responses (encode.ts, envelope.ts, bodystructure.ts, date.ts) ───────
 *   WireValue = null | number | string | Buffer (always literal) | Atom | Literal | WireValue[]
 *   atom(s), literal(buf, binary?), flagList(flags)
 *   encodeTagged(tag, 'OK'|'NO'|'BAD', text, code?) → Buffer; encodeStatus(tag|'*', status, text, code?)
 *   respCode(name, ...args) e.g. respCode('APPENDUID', 38505, 3955), respCode('BADCHARSET', ['UTF-8','US-ASCII'])
 *   encodeUntagged(values, {utf8}) → Buffer[]; encodeUntaggedBuffer(...) → Buffer
 *   encodeContinuation(text?), encodeChallenge(buf)
 *   encodeFetch(seq, [[label, value], ...], {utf8}) → Buffer[] (Buffer values become literals, no copy)
 *   encodeEnvelope(env, utf8) → WireValue[]; encodeBodyStructure(part, extended, {utf8}) → WireValue[]
 *   formatDateTime(date, offsetMinutes?) → "17-Jul-1996 09:44:25 +0000"; fetchLabel(att) → "BODY[1.TEXT]<0>"
 *   formatSequenceSet(nums) → "1:3,5"
 */
export * from './errors.js';
export * from './tokens.js';
export * from './lexer.js';
export * from './reader.js';
export * from './encode.js';
export * from './date.js';
export * from './mutf7.js';
export * from './rfc2047.js';
export * from './envelope.js';
export * from './bodystructure.js';
export * from './args/cursor.js';
export * from './args/seqset.js';
export * from './args/mailbox.js';
export * from './args/flags.js';
