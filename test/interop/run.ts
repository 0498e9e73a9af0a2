/** Third-party clients for the interop tests, with stdout as text (shared runner in test/helpers/tools.ts). */
import { runTool } from '../helpers/tools.js';

export { has } from '../helpers/tools.js';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export async function run(
  cmd: string,
  args: string[],
  opts: { input?: string; env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  const r = await runTool(cmd, args, { stdin: opts.input, env: opts.env, cwd: opts.cwd, timeoutMs: opts.timeoutMs ?? 60_000 });
  return { code: r.code, stdout: r.stdout.toString(), stderr: r.stderr };
}

/**
 * An mbsync configuration for one letterbox account over STARTTLS into a verbatim Maildir
 * tree at `maildir`; `channel` holds the Channel lines after Far/Near/Patterns.
 */
export function mbsyncConfig(o: { port: number; user: string; pass: string; certFile: string; maildir: string; channel: string }): string {
  return `IMAPAccount lb
Host 127.0.0.1
Port ${o.port}
User ${o.user}
Pass "${o.pass}"
SSLType STARTTLS
CertificateFile ${o.certFile}
SystemCertificates no

IMAPStore lb-remote
Account lb

MaildirStore lb-local
Path ${o.maildir}/
Inbox ${o.maildir}/INBOX
SubFolders Verbatim

Channel lb
Far :lb-remote:
Near :lb-local:
Patterns *
${o.channel}
`;
}
