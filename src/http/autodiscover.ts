/**
 * Microsoft Autodiscover, "plain old XML" (POX) flavour, as Outlook uses for IMAP/POP3/SMTP
 * accounts: the client POSTs
 *   <Autodiscover><Request><EMailAddress>…</EMailAddress>…</Request></Autodiscover>
 * to /autodiscover/autodiscover.xml and gets Account/Protocol settings back (request schema
 * …/outlook/requestschema/2006, response schema …/outlook/responseschema/2006a).
 * One Protocol per type, the preferred endpoint (implicit TLS first). <Encryption> (SSL =
 * implicit TLS, TLS = STARTTLS) is understood by Outlook 2010 and later; <SSL> for older ones.
 */
import type { Endpoint, MailSettings } from '../net/mailsettings.js';
import { escapeXml, unescapeXml } from './xml.js';

export const RESPONSE_NS = 'http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006';
export const OUTLOOK_NS = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a';

/** the EMailAddress of a POX request, or null when the body is not one */
export function requestedAddress(body: string): string | null {
  if (!/<(?:\w+:)?Autodiscover[\s>]/.test(body)) return null;
  const m = /<(?:\w+:)?EMailAddress>([^<]{1,512})<\/(?:\w+:)?EMailAddress>/.exec(body);
  return m ? unescapeXml(m[1]!).trim() : null;
}

function protocol(type: 'IMAP' | 'POP3' | 'SMTP', e: Endpoint, login: string): string {
  return [
    '      <Protocol>',
    `        <Type>${type}</Type>`,
    `        <Server>${escapeXml(e.host)}</Server>`,
    `        <Port>${e.port}</Port>`,
    '        <DomainRequired>off</DomainRequired>',
    `        <LoginName>${escapeXml(login)}</LoginName>`,
    '        <SPA>off</SPA>',
    '        <SSL>on</SSL>',
    `        <Encryption>${e.security === 'SSL' ? 'SSL' : 'TLS'}</Encryption>`,
    '        <AuthRequired>on</AuthRequired>',
    ...(type === 'SMTP' ? ['        <UsePOPAuth>on</UsePOPAuth>', '        <SMTPLast>off</SMTPLast>'] : []),
    '      </Protocol>',
  ].join('\n');
}

export function autodiscoverXml(address: string, settings: MailSettings): string {
  const protocols: string[] = [];
  if (settings.imap[0]) protocols.push(protocol('IMAP', settings.imap[0], address));
  if (settings.pop3[0]) protocols.push(protocol('POP3', settings.pop3[0], address));
  if (settings.smtp[0]) protocols.push(protocol('SMTP', settings.smtp[0], address));
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<Autodiscover xmlns="${RESPONSE_NS}">`,
    `  <Response xmlns="${OUTLOOK_NS}">`,
    '    <Account>',
    '      <AccountType>email</AccountType>',
    '      <Action>settings</Action>',
    ...protocols,
    '    </Account>',
    '  </Response>',
    '</Autodiscover>',
    '',
  ].join('\n');
}
