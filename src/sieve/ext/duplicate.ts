/**
 * duplicate (RFC 7352): true when a message with the same id (Message-ID, another
 * header with :header, or :uniqueid) was seen within the period (:seconds, default 7
 * days). The id is remembered only once the message is delivered (§3); with :last the
 * period restarts at every occurrence. No id (no Message-ID field) means false.
 */
import { createHash } from 'node:crypto';
import { tagValue, type Spec, type TestSpec } from '../core/spec.js';

export const DUPLICATE_DEFAULT_SECONDS = 7 * 86400;

const duplicate: TestSpec = {
  kind: 'test',
  name: 'duplicate',
  requires: 'duplicate',
  tags: {
    handle: { value: 'string' },
    header: { value: 'string', group: 'id' },
    uniqueid: { value: 'string', group: 'id' },
    seconds: { value: 'number' },
    last: {},
  },
  positional: [],
  async run(node, rt) {
    const h = tagValue(node, 'handle');
    const handle = h && h.kind === 'string' ? rt.expand(h.value) : '';
    const u = tagValue(node, 'uniqueid');
    const f = tagValue(node, 'header');
    let id: string | undefined;
    if (u && u.kind === 'string') id = rt.expand(u.value);
    else id = rt.view.values(f && f.kind === 'string' ? rt.expand(f.value) : 'message-id')[0]?.trim();
    if (!id) return false;
    const s = tagValue(node, 'seconds');
    const seconds = Math.min(s && s.kind === 'number' ? s.value : DUPLICATE_DEFAULT_SECONDS, rt.env.limits.duplicateMaxSeconds);
    const key = createHash('sha256').update(`${handle}\0${id}`).digest('base64url');
    const seen = rt.duplicates.some((d) => d.id === key) || (await rt.wait(rt.env.seenDuplicate(key)));
    if (!seen || node.tags.has('last')) rt.duplicates.push({ id: key, seconds });
    return seen;
  },
};

export const DUPLICATE: Spec[] = [duplicate];
