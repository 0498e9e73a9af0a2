/**
 * Words a message is judged by: the decoded Subject and body text (text/* parts, HTML
 * stripped, at most TEXT_BUDGET characters) as lower-case words of 3 to 24 letters or
 * digits, Subject words marked "s:", plus the From domain ("f:") and the sender's address
 * ("a:"). Each token once. The message is parsed by the same MIME index the store uses.
 */
import { indexMessage } from '../../mime/index.js';
import { headerValue, partText } from '../../mime/text.js';
import type { MimePart } from '../../mime/types.js';
import { decodeWords } from '../../mime/envelope.js';

const TEXT_BUDGET = 20_000;
const MAX_TOKENS = 1500;
const WORD = /[\p{L}\p{N}][\p{L}\p{N}'*_.-]{1,40}[\p{L}\p{N}]/gu;

function words(text: string, prefix: string, out: Set<string>): void {
  for (const m of text.toLowerCase().matchAll(WORD)) {
    if (out.size >= MAX_TOKENS) return;
    const w = m[0];
    if (w.length > 24) continue;
    out.add(prefix + w);
  }
}

function collect(raw: Buffer, part: MimePart, out: string[], budget: { left: number }): void {
  if (budget.left <= 0) return;
  if (part.parts) for (const p of part.parts) collect(raw, p, out, budget);
  else if (part.message) collect(raw, part.message, out, budget);
  else if (part.type === 'text') {
    const t = partText(raw, part, budget.left);
    out.push(t);
    budget.left -= t.length;
  }
}

export function tokenize(raw: Buffer): string[] {
  const out = new Set<string>();
  try {
    const index = indexMessage(raw);
    const subject = headerValue(raw, index.root, 'subject');
    if (subject) words(decodeWords(subject), 's:', out);
    const from = headerValue(raw, index.root, 'from');
    const addr = from ? /[^\s<>"@]+@([^\s<>"@]+)/.exec(from) : null;
    if (addr) {
      out.add('a:' + addr[0].toLowerCase().slice(0, 60));
      out.add('f:' + addr[1]!.toLowerCase().slice(0, 60));
    }
    const texts: string[] = [];
    collect(raw, index.root, texts, { left: TEXT_BUDGET });
    for (const t of texts) words(t, '', out);
  } catch {
    // an unparseable message gives what was collected so far
  }
  return [...out];
}
