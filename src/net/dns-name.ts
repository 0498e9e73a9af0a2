/**
 * Domain names as DNS and the wire carry them. letterbox keeps a domain as the operator
 * typed it (an internationalised domain in Unicode, "bücher.example"), but DNS queries,
 * zone records, TLS SNI, HTTP Host names, certificate names and DKIM's d= take its A-label
 * form ("xn--bcher-kva.example", RFC 5890 §2.3.2.1, RFC 8616 §3–4). aLabel converts with
 * node:url's domainToASCII (UTS #46); a name it cannot convert (an address literal, a name
 * with characters no domain may hold) comes back lower-cased, unchanged otherwise.
 */
import { domainToASCII } from 'node:url';

/** "Bücher.Example." → "xn--bcher-kva.example"; ASCII names only lower-cased, trailing dot removed */
export function aLabel(name: string): string {
  const d = name.trim().toLowerCase().replace(/\.$/, '');
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(d)) return d;
  return domainToASCII(d) || d;
}

/** "user@bücher.example" → "user@xn--bcher-kva.example" (the local part is left as it is) */
export function aLabelAddress(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? address : `${address.slice(0, at + 1)}${aLabel(address.slice(at + 1))}`;
}
