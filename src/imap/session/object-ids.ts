/**
 * OBJECTID (RFC 8474) identifiers: objectid = 1*255(ALPHA / DIGIT / "_" / "-").
 * - EMAILID: "M" + the message's stable id (MessageMeta.guid), kept by MOVE and by RENAME of
 *   its mailbox, new for a COPY (each copy is its own message in the store).
 * - THREADID: "T" + a digest of the conversation's root Message-ID (the first References
 *   entry, else the message's own id), so replies arriving in any order share it; a message
 *   with neither gets one of its own.
 * - MAILBOXID: "F" + the store's mailbox id, which RENAME keeps and nothing reuses.
 */
import { createHash } from 'node:crypto';
import type { SortKeys } from '../../store/sort-types.js';

export const emailId = (guid: string): string => `M${guid.replace(/[^A-Za-z0-9_-]/g, '')}`;

export function threadId(k: Pick<SortKeys, 'references' | 'messageId'>, guid: string): string {
  // a message with no ids at all is a conversation of its own
  const root = k.references[0] ?? k.messageId ?? `\0${guid}`;
  return `T${createHash('sha256').update(root).digest('base64url').slice(0, 22)}`;
}

export const mailboxId = (id: number): string => `F${id}`;
