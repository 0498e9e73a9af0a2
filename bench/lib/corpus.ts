/** The benchmark corpus: ../shared/corpus/sample.mbox (relative to the repository root), split into messages. */
import { existsSync, readFileSync } from 'node:fs';
import { splitMbox } from '../../src/mime/mbox.js';

export function loadCorpus(): Buffer[] {
  const path = '../shared/corpus/sample.mbox';
  if (!existsSync(path)) throw new Error('sample.mbox not found: expected ../shared/corpus/sample.mbox beside the repository');
  const msgs = splitMbox(readFileSync(path));
  if (msgs.length === 0) throw new Error(`${path} holds no messages`);
  return msgs;
}
