/**
 * COMPRESS DEFLATE (RFC 4978): after the tagged OK both directions are raw DEFLATE
 * (../session/compress.ts). A second COMPRESS is NO [COMPRESSIONACTIVE] (RFC 4978 §3).
 */
import { AUTHED, bad, no, type ImapCommand } from '../session/types.js';
import { ArgCursor } from '../wire/args/cursor.js';

export const compressCmd: ImapCommand = {
  name: 'COMPRESS',
  states: AUTHED,
  async run(s, req) {
    const c = new ArgCursor(req.args, 'COMPRESS');
    const alg = c.atom('compression algorithm').toUpperCase();
    c.end();
    if (alg !== 'DEFLATE') throw bad(`Unknown compression algorithm ${alg.slice(0, 20)}; DEFLATE is supported`);
    if (s.compressed) throw no('DEFLATE is already active', 'COMPRESSIONACTIVE');
    s.tagged(req.tag, 'OK', 'DEFLATE active');
    s.startCompression();
    return { status: 'OK', text: '', written: true };
  },
};
