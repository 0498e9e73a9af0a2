/** Running third-party clients for the end-to-end tests: byte-exact stdout, stdin, a time limit. */
import { spawn, spawnSync } from 'node:child_process';

export function has(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

export interface ToolResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

export function runTool(cmd: string, args: string[], opts: { stdin?: string | Buffer; timeoutMs?: number; cwd?: string } = {}): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr });
    });
    child.stdin.end(opts.stdin ?? '');
  });
}

/** python3 -c script args… (stdout as bytes) */
export function python(script: string, args: string[]): Promise<ToolResult> {
  return runTool('python3', ['-c', script, ...args]);
}
