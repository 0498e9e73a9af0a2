/** Third-party clients for the end-to-end tests (shared runner in test/helpers/tools.ts). */
import { runTool, type ToolResult } from '../helpers/tools.js';

export { has, runTool, type ToolResult } from '../helpers/tools.js';

/** python3 -c script args… (stdout as bytes) */
export function python(script: string, args: string[]): Promise<ToolResult> {
  return runTool('python3', ['-c', script, ...args]);
}
