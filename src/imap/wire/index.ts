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
 *   parseFetchArgs(args, {uid}) → { set, atts: FetchAtt[], changedSince, vanished, macro }   (UID added for UID FETCH,
 *       MODSEQ added with CHANGEDSINCE); fetchLabel(att) → response label; fetchSetsSeen(att); formatSection(spec);
 *       toMimeSection(att.section) → { path, specifier?, fields? } for src/mime/section.ts sectionBytes()
 *       FetchAtt: {type:'FLAGS'|...} | {type:'BODY[]', peek, section, partial} | {type:'BINARY[]', peek, part, section, partial}
 *       | {type:'BINARY.SIZE', part, section}; BINARY accepts a full section-spec like Dovecot (section.text non-null
 *       = nothing to decode, serve BODY[section] bytes)
 *   parseSearchArgs(args) → { ret: {min,max,all,count,save}|null, charset, query: SearchKey }; searchUsesModseq(q)
 *       SearchKey = store SearchQuery ops + {op:'seq'|'uid', set: SequenceSet} + {op:'recent', set} + {op:'new'}
 *   parseStoreArgs(args) → { set, op: 'add'|'remove'|'replace', silent, flags, unchangedSince }
 *   parseStatusArgs(args, names) → { mailbox, items: StatusItem[] }
 *   parseListArgs(args, names) → { extended, selection{subscribed,remote,recursiveMatch,specialUse}, reference,
 *       patterns[], ret{subscribed,children,specialUse,status} };  parseLsubArgs(args, names) → { reference, pattern }
 *   listMatcher(joinListReference(ref, pattern)) → (name) => boolean; parentNames(name)
 *   parseAppendArgs(args, names) → { mailbox, messages: [{ flags|null, date|null, data: Buffer, binary, utf8 }] }
 *   parseSelectArgs(args, names) → { mailbox, condstore, qresync: {uidValidity, modseq, knownUids, seqMatch}|null }
 *   parseCreateArgs → { mailbox, specialUse }, parseRenameArgs → { from, to }, parseCopyArgs(args, names, 'MOVE') → { set, mailbox }
 *   parseMailboxArg(args, names), parseLoginArgs → { username, password }, parseAuthenticateArgs → { mechanism, initialResponse }
 *   decodeSaslResponse(line) → Buffer | null (null = "*" cancel), parseEnableArgs → string[], parseIdArgs → pairs | null
 *   parseUidExpungeArgs → SequenceSet, parseNoArgs(args, 'NOOP')
 *   SequenceSet = {saved:true} ("$") | {saved:false, ranges: [SeqNumber, SeqNumber][]}; resolveSequenceSet(set, star)
 *   Names: decodeMailboxName / encodeMailboxName(name, {utf8}), encodeMutf7 / decodeMutf7, normalizeInbox
 *   Dates: parseDateTime(s) → Date, parseSearchDate(s) → "YYYY-MM-DD"; flags: parseFlag, parseFlagList
 *
 * ── Encoding responses (encode.ts, envelope.ts, bodystructure.ts, date.ts) ───────
 *   WireValue = null | number | string | Buffer (always literal) | Atom | Literal | Concat | WireValue[]
 *   atom(s), literal(buf, binary?), concat(items) (no SP between), flagList(flags); WireWriter, encodeToString(v)
 *   encodeTagged(tag, 'OK'|'NO'|'BAD', text, code?) → Buffer; encodeStatus(tag|'*', status, text, code?)
 *   respCode(name, ...args) e.g. respCode('APPENDUID', 38505, 3955), respCode('BADCHARSET', ['UTF-8','US-ASCII'])
 *   encodeUntagged(values, {utf8}) → Buffer[]; encodeUntaggedBuffer(...) → Buffer
 *   encodeContinuation(text?), encodeChallenge(buf)
 *   encodeFetch(seq, [[label, value], ...], {utf8}) → Buffer[] (Buffer values become literals, no copy)
 *   encodeEnvelope(env, utf8) → WireValue[]; encodeBodyStructure(part, extended, {utf8}) → WireValue[]
 *   formatDateTime(date, offsetMinutes?) → "17-Jul-1996 09:44:25 +0000"; fetchLabel(att) → "BODY[1.TEXT]<0>"
 *   formatSequenceSet(nums) → "1:3,5" (sorted), formatSequenceList(nums) → keeps order (COPYUID)
 *   encodeWords(s) → RFC 2047 B-words for non-UTF8 clients
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
export * from './listmatch.js';
export * from './bytequeue.js';
