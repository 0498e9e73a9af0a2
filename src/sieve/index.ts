/**
 * The Sieve module (RFC 5228 and extensions): pure, no I/O.
 *
 *   compileScript(text)          parse + check → CompiledScript, or SieveError (line, column)
 *   checkScript(text)            the verdict only (ManageSieve CHECKSCRIPT, CLI, web page)
 *   runScript(compiled, env)     → SieveResult (actions with implicit keep), or SieveRuntimeError
 *   CAPABILITY_LIST              the extensions announced
 *
 * Files: lexer.ts → parser.ts (syntax tree, ast.ts) → check.ts (specs from registry.ts,
 * one file per extension in ext/) → interpreter.ts. What the extensions share is in core/
 * (runtime.ts state, message.ts header view with editheader, match.ts comparators and
 * match types, strings.ts variables, addresses.ts address parts, spec.ts, errors.ts,
 * types.ts): ext/ imports core/, never this folder, so there is no import circle.
 */
export { compileScript, checkScript, type CompiledScript } from './check.js';
export { runScript } from './interpreter.js';
export { SieveError, SieveRuntimeError } from './core/errors.js';
export { CAPABILITY_LIST, CAPABILITIES } from './registry.js';
export { DEFAULT_LIMITS } from './core/types.js';
export type { SieveAction, SieveEnvironment, SieveLimits, SieveMessage, SieveResult, SpamVerdict } from './core/types.js';
export { SCRIPT_NAME } from './ext/include.js';
