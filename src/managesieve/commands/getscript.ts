/** GETSCRIPT name (RFC 5804 §2.9): the script as a literal, then OK. */
import type { ManageSieveCommand } from '../session/session.js';
import { strings } from './args.js';
import { no, ok } from '../wire/response.js';

export const getscript: ManageSieveCommand = {
  name: 'GETSCRIPT',
  states: ['AUTH'],
  async run(s, args) {
    const [name] = strings(args, 1, 'GETSCRIPT "name"');
    const text = await s.scripts.get(s.account!.id, name!);
    if (text === null) return s.write(no(`There is no script named ${JSON.stringify(name)}`, 'NONEXISTENT'));
    await s.write(`{${Buffer.byteLength(text)}}\r\n${text}\r\n` + ok());
  },
};
