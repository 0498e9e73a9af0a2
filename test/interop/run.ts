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
