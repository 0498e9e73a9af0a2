/**
 * Words a message is judged by: the decoded Subject and body text (text/* parts, HTML
 * stripped, at most TEXT_BUDGET characters) as lower-case words of 3 to 24 letters or
 * digits, Subject words marked "s:", plus the From domain ("f:") and the sender's address
 * ("a:"). Each token once. The message is parsed by the same MIME index the store uses.
 */
import { indexMessage } from '../../mime/index.js';
import { headerValue, partText } from '../../mime/text.js';
import type { MimeIndex, MimePart } from '../../mime/types.js';
import { decodeWords } from '../../mime/envelope.js';

const TEXT_BUDGET = 1_500;
const MAX_TOKENS = 200;

/**
 * Splits on everything but ASCII letters and digits and non-ASCII letters (Latin-1 symbols
 * and general punctuation separate words); the native split is several times faster than a
 * loop in JavaScript, and this runs for every message on port 25.
 */
const SEPARATORS = /[^a-z0-9\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u1fff\u2070-\ufefe\uff00-\uffff]+/;

function words(text: string, prefix: string, out: Set<string>): void {
  for (const w of text.toLowerCase().split(SEPARATORS)) {
    if (w.length < 3 || w.length > 24) continue;
    out.add(prefix ? prefix + w : w);
    if (out.size >= MAX_TOKENS) return;
  }
}

function collect(raw: Buffer, part: MimePart, out: string[], budget: { left: number }): void {
  if (budget.left <= 0) return;
  if (part.parts) for (const p of part.parts) collect(raw, p, out, budget);
  else if (part.message) collect(raw, part.message, out, budget);
  else if (part.type === 'text') {
    // partText decodes up to 12 bytes per character asked for (the worst case of base64 of
    // 4-byte UTF-8): ask for a sixth and cut, or a large part costs ten times the budget
    const t = partText(raw, part, Math.ceil(budget.left / 6)).slice(0, budget.left);
    out.push(t);
    budget.left -= t.length;
  }
}

/** `index`: the message's MIME index when the caller has it (delivery parses once for store and classifier) */
export function tokenize(raw: Buffer, given?: MimeIndex): string[] {
  const out = new Set<string>();
  try {
    // without an index, a large message is judged by its first 256 KiB (headers and the text parts come first)
    if (!given && raw.length > 256 * 1024) raw = raw.subarray(0, 256 * 1024);
    const index = given ?? indexMessage(raw);
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
