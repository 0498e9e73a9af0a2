/**
 * GETMETADATA (RFC 5464 §4.2): `* METADATA <mailbox> (entry value ...)`, the server's entries
 * for the mailbox "". Every named entry is answered, NIL when it does not exist (as Dovecot
 * does); DEPTH 1 / infinity add the existing entries below it. MAXSIZE leaves out longer
 * values and the tagged OK says how long the longest of them was (`[METADATA LONGENTRIES n]`).
 * Values go out as strings, a literal8 when they hold NUL.
 */
import { AUTHED, ok, type ImapCommand } from '../session/types.js';
import { parseGetMetadataArgs } from '../wire/args/metadata.js';
import { astring, atom, literal, respCode, type WireValue } from '../wire/encode.js';
import { placeOf, readEntries } from './metadata-entries.js';

function valueOf(v: Buffer | null): WireValue {
  if (v === null) return null;
  if (v.includes(0)) return literal(v, true);
  const text = v.toString('utf8');
  return Buffer.from(text, 'utf8').equals(v) ? text : v;
}

export const getMetadataCmd: ImapCommand = {
  name: 'GETMETADATA',
  states: AUTHED,
  async run(s, req) {
    const args = parseGetMetadataArgs(req.args, s.names);
    const { place, name: target } = await placeOf(s, args);
    const items: WireValue[] = [];
    let longest = 0;
    const seen = new Set<string>();
    for (const name of args.entries) {
      for (const { entry, value } of await readEntries(s, place, name, args.depth)) {
        if (seen.has(entry)) continue; // an entry named and also below another named one
        seen.add(entry);
        if (value && args.maxSize !== null && value.length > args.maxSize) {
          longest = Math.max(longest, value.length);
          continue;
        }
        items.push(astring(entry), valueOf(value));
      }
    }
    if (items.length) s.untagged(atom('METADATA'), target, items);
    return ok('GETMETADATA completed', longest ? respCode('METADATA', atom('LONGENTRIES'), longest) : undefined);
  },
};
