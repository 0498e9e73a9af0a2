/**
 * Apple configuration profile (.mobileconfig) with one com.apple.mail.managed payload:
 * IMAP in, SMTP out, password authentication, TLS on both (UseSSL = TLS, implicit or
 * STARTTLS, depending on the port). The profile is unsigned, so iOS/macOS show it as
 * "Unverified"; the user is asked for the password on install. UUIDs are derived from
 * host name and address so installing again replaces the earlier profile.
 */
import { createHash } from 'node:crypto';
import type { Endpoint } from '../net/mailsettings.js';
import { escapeXml } from './xml.js';

/** a stable RFC 4122-shaped UUID (version 5 layout) from a name */
export function stableUuid(name: string): string {
  const h = createHash('sha1').update(name).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex').toUpperCase();
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

type PlistValue = string | number | boolean | PlistValue[] | { [key: string]: PlistValue };

function plist(value: PlistValue, indent: string): string {
  if (typeof value === 'string') return `${indent}<string>${escapeXml(value)}</string>`;
  if (typeof value === 'number') return `${indent}<integer>${Math.trunc(value)}</integer>`;
  if (typeof value === 'boolean') return `${indent}<${value}/>`;
  if (Array.isArray(value)) return [`${indent}<array>`, ...value.map((v) => plist(v, indent + '  ')), `${indent}</array>`].join('\n');
  return [
    `${indent}<dict>`,
    ...Object.entries(value).flatMap(([k, v]) => [`${indent}  <key>${escapeXml(k)}</key>`, plist(v, indent + '  ')]),
    `${indent}</dict>`,
  ].join('\n');
}

/** reversed host name for payload identifiers: mail.example.com → com.example.mail */
const reverseDns = (host: string) => host.split('.').reverse().join('.');

export function mobileconfig(hostname: string, address: string, imap: Endpoint, smtp: Endpoint | undefined): string {
  const id = reverseDns(hostname.toLowerCase());
  const mail: Record<string, PlistValue> = {
    EmailAccountDescription: address,
    EmailAccountType: 'EmailTypeIMAP',
    EmailAddress: address,
    IncomingMailServerAuthentication: 'EmailAuthPassword',
    IncomingMailServerHostName: imap.host,
    IncomingMailServerPortNumber: imap.port,
    IncomingMailServerUseSSL: true,
    IncomingMailServerUsername: address,
    PayloadDescription: `Mail account ${address}`,
    PayloadDisplayName: address,
    PayloadIdentifier: `${id}.mail.${stableUuid(`${hostname}/${address}/mail`)}`,
    PayloadType: 'com.apple.mail.managed',
    PayloadUUID: stableUuid(`${hostname}/${address}/mail`),
    PayloadVersion: 1,
  };
  if (smtp) {
    Object.assign(mail, {
      OutgoingMailServerAuthentication: 'EmailAuthPassword',
      OutgoingMailServerHostName: smtp.host,
      OutgoingMailServerPortNumber: smtp.port,
      OutgoingMailServerUseSSL: true,
      OutgoingMailServerUsername: address,
      OutgoingPasswordSameAsIncomingPassword: true,
    });
  }
  const profile: Record<string, PlistValue> = {
    PayloadContent: [mail],
    PayloadDescription: `Sets up ${address} on ${hostname}`,
    PayloadDisplayName: `Mail (${address})`,
    PayloadIdentifier: `${id}.profile.${stableUuid(`${hostname}/${address}`)}`,
    PayloadRemovalDisallowed: false,
    PayloadType: 'Configuration',
    PayloadUUID: stableUuid(`${hostname}/${address}`),
    PayloadVersion: 1,
  };
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    plist(profile, ''),
    '</plist>',
    '',
  ].join('\n');
}
