/**
 * Reads a new password without it ever appearing in argv (and so in `ps` or shell history):
 * - from a file (--password-file: its first line),
 * - from an interactive terminal: asked twice, not echoed,
 * - otherwise from standard input: its first line (`echo secret | letterbox user add a@b`).
 */
import { readFileSync } from 'node:fs';
import { CliError } from './common.js';
import { io } from './io.js';

const MAX_PASSWORD_BYTES = 4096;

function check(password: string, source: string): string {
  if (password.length === 0) throw new CliError(`empty password from ${source}; nothing was changed`);
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) throw new CliError(`password from ${source} is longer than ${MAX_PASSWORD_BYTES} bytes`);
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(password)) throw new CliError(`password from ${source} contains control characters`);
  return password;
}

export async function readNewPassword(opts: { passwordFile?: string }): Promise<string> {
  if (opts.passwordFile) return fromFile(opts.passwordFile);
  const stdin = io.stdin;
  if (stdin.isTTY && stdin.setRawMode) {
    const a = await promptHidden('New password: ');
    const b = await promptHidden('Repeat password: ');
    if (a !== b) throw new CliError('the two passwords differ; nothing was changed');
    return check(a, 'the prompt');
  }
  const line = await readFirstLine();
  if (line === null) {
    throw new CliError(
      'no password on standard input; type it at a terminal, pipe it (printf "%s\\n" "$PW" | letterbox user add …) or use --password-file',
    );
  }
  return check(line, 'standard input');
}

/**
 * Reads an existing password (another server's, for `letterbox import imap`) once: from
 * --password-file, from the environment variable --password-env names, at a terminal
 * (not echoed), or as the first line of standard input.
 */
export async function readPassword(opts: { passwordFile?: string; passwordEnv?: string }, prompt: string): Promise<string> {
  if (opts.passwordFile) return fromFile(opts.passwordFile);
  if (opts.passwordEnv) {
    const v = process.env[opts.passwordEnv];
    if (v === undefined) throw new CliError(`--password-env ${opts.passwordEnv}: no such environment variable`);
    return check(v, `$${opts.passwordEnv}`);
  }
  const stdin = io.stdin;
  if (stdin.isTTY && stdin.setRawMode) return check(await promptHidden(prompt), 'the prompt');
  const line = await readFirstLine();
  if (line === null) throw new CliError('no password on standard input; type it at a terminal, pipe it, or use --password-file / --password-env');
  return check(line, 'standard input');
}

/** the first line of --password-file */
function fromFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read --password-file ${path}: ${(e as Error).message}`);
  }
  return check(firstLine(text), `--password-file ${path}`);
}

function firstLine(text: string): string {
  const nl = text.indexOf('\n');
  return (nl < 0 ? text : text.slice(0, nl)).replace(/\r$/, '');
}

/** First line of standard input (without CR/LF), or null when it is empty / closed. */
function readFirstLine(): Promise<string | null> {
  const stdin = io.stdin;
  return new Promise((resolve, reject) => {
    let buf = '';
    const done = (v: string | null) => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.off('error', onError);
      stdin.pause();
      resolve(v);
    };
    const onData = (chunk: Buffer | string) => {
      buf += chunk.toString();
      if (buf.includes('\n')) done(firstLine(buf));
      else if (buf.length > MAX_PASSWORD_BYTES * 2) done(buf);
    };
    const onEnd = () => done(buf.length ? firstLine(buf) : null);
    const onError = (e: Error) => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      reject(new CliError(`cannot read standard input: ${e.message}`));
    };
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    stdin.on('error', onError);
    stdin.resume();
  });
}

/** characters typed ahead of a prompt (both answers may arrive in one chunk) */
let typeahead = '';

/** Prompts on the terminal with echo off (raw mode); Ctrl-C cancels. */
function promptHidden(question: string): Promise<string> {
  const stdin = io.stdin;
  stdin.setRawMode!(true); // echo off before the prompt shows, so nothing typed after it is echoed
  io.stderr(question);
  return new Promise((resolve, reject) => {
    let buf = '';
    let done = false;
    const finish = (e: Error | null) => {
      done = true;
      stdin.off('data', onData);
      stdin.setRawMode!(false);
      stdin.pause();
      io.stderr('\n');
      if (e) reject(e);
      else resolve(buf);
    };
    const consume = (text: string) => {
      const chars = [...text];
      for (let i = 0; i < chars.length; i++) {
        const ch = chars[i]!;
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          // a CRLF pair counts once; keep the rest for the next prompt
          typeahead = chars.slice(ch === '\r' && chars[i + 1] === '\n' ? i + 2 : i + 1).join('');
          return finish(null);
        }
        if (ch === '\u0003') {
          typeahead = '';
          return finish(new CliError('cancelled; nothing was changed', 130));
        }
        if (ch === '\u007f' || ch === '\b') buf = [...buf].slice(0, -1).join('');
        else buf += ch;
      }
    };
    const onData = (chunk: Buffer | string) => consume(chunk.toString('utf8'));
    stdin.on('data', onData);
    const pending = typeahead;
    typeahead = '';
    consume(pending);
    if (!done) stdin.resume();
  });
}
