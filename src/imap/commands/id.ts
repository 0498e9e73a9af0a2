/** ID (RFC 2971): logs what the client says about itself, answers with our name */
import { ANY_STATE, bad, type ImapCommand } from '../session/types.js';

export const idCmd: ImapCommand = {
  name: 'ID',
  states: ANY_STATE,
  pipelineSafe: true,
  async run(s, req) {
    const a = s.args(req);
    const t = a.next('ID parameter list or NIL');
    a.end();
    if (t.type === 'list') {
      const items = t.items.map((x) => (x.type === 'atom' ? x.value : x.type === 'quoted' ? x.value : x.type === 'literal' ? x.value.toString('utf8') : ''));
      if (items.length % 2 || items.length > 60) throw bad('ID takes field/value pairs (at most 30)');
      const client: Record<string, string> = {};
      for (let i = 0; i < items.length; i += 2) client[items[i].slice(0, 30)] = items[i + 1].slice(0, 200);
      s.log.info({ client }, 'imap client identified itself');
    } else if (!(t.type === 'atom' && t.value.toUpperCase() === 'NIL')) throw bad('ID takes a list or NIL');
    s.write('* ID ("name" "letterbox" "vendor" "letterbox")\r\n');
  },
};
