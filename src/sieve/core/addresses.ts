/**
 * Address parts (RFC 5228 §2.7.4; :user and :detail RFC 5233 with "+" as the separator,
 * the same one SMTP recipient resolution understands).
 */
import { parseAddressList } from '../../mime/address.js';

/** which part of an address a test compares (RFC 5228 §2.7.4, RFC 5233) */
export type AddressPart = 'all' | 'localpart' | 'domain' | 'user' | 'detail';

export const DETAIL_SEPARATOR = '+';

/** the part of local@domain a test compares; null when the address has no such part */
export function addressPart(local: string, domain: string, part: AddressPart): string | null {
  switch (part) {
    case 'all':
      return domain ? `${local}@${domain}` : local;
    case 'localpart':
      return local;
    case 'domain':
      return domain;
    case 'user': {
      const i = local.indexOf(DETAIL_SEPARATOR);
      return i < 0 ? local : local.slice(0, i);
    }
    case 'detail': {
      const i = local.indexOf(DETAIL_SEPARATOR);
      return i < 0 ? null : local.slice(i + 1);
    }
  }
}

/** the addresses of one header value (group markers skipped) as [local, domain] */
export function headerAddresses(value: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const a of parseAddressList(value)) if (a.host !== null && a.mailbox !== null) out.push([a.mailbox, a.host]);
  return out;
}

/** splits an envelope address; "" (the null sender) is one empty local part */
export function splitAddress(address: string): [string, string] {
  const at = address.lastIndexOf('@');
  return at < 0 ? [address, ''] : [address.slice(0, at), address.slice(at + 1)];
}

/** a plain addr-spec for redirect and vacation :from/:addresses (RFC 5228 §4.2) */
export function isValidAddress(address: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /^[^\s@<>()[\]\\,;:"\x00-\x1f]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(address) && address.length <= 254;
}
