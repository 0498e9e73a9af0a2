/**
 * Thunderbird autoconfiguration, clientConfig version 1.1
 * (https://wiki.mozilla.org/Thunderbird:Autoconfiguration:ConfigFileFormat).
 * Served at /mail/config-v1.1.xml?emailaddress=… (autoconfig.<domain>) and
 * /.well-known/autoconfig/mail/config-v1.1.xml (the mail domain itself).
 * The user name is the full address, which Thunderbird fills in for %EMAILADDRESS%.
 */
import type { Endpoint, MailSettings } from '../net/mailsettings.js';
import { escapeXml } from './xml.js';

function server(tag: 'incomingServer' | 'outgoingServer', type: string, e: Endpoint): string {
  return [
    `    <${tag} type="${type}">`,
    `      <hostname>${escapeXml(e.host)}</hostname>`,
    `      <port>${e.port}</port>`,
    `      <socketType>${e.security}</socketType>`,
    `      <username>%EMAILADDRESS%</username>`,
    `      <authentication>password-cleartext</authentication>`,
    `    </${tag}>`,
  ].join('\n');
}

export function autoconfigXml(domain: string, settings: MailSettings): string {
  const d = escapeXml(domain);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<clientConfig version="1.1">',
    `  <emailProvider id="${d}">`,
    `    <domain>${d}</domain>`,
    `    <displayName>${d}</displayName>`,
    `    <displayShortName>${d}</displayShortName>`,
    ...settings.imap.map((e) => server('incomingServer', 'imap', e)),
    ...settings.pop3.map((e) => server('incomingServer', 'pop3', e)),
    ...settings.smtp.map((e) => server('outgoingServer', 'smtp', e)),
    '  </emailProvider>',
    '</clientConfig>',
    '',
  ].join('\n');
}
