/**
 * Entry point of the `letterbox` command (bin/letterbox and `npm start` run this file).
 * Exits with the command's code once its output is written.
 */
import { run } from './program.js';

const code = await run(process.argv.slice(2));
process.stdout.write('', () => process.exit(code));
