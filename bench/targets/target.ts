/** What a benchmark scenario needs from a server under test (letterbox or a peer). */
export interface Target {
  name: string;
  domain: string;
  /** how many processes serve the listeners (letterbox: `serve --workers`), for the report */
  processes?: number;
  imapPort: number;
  pop3Port: number;
  /** port 25 equivalent: inbound SMTP with durable local delivery */
  smtpPort: number;
  /** creates accounts user@domain with the password */
  addUsers(localParts: string[], password: string): Promise<void>;
  /** makes `script` the active Sieve script of user@domain (null: none active); letterbox only */
  putSieve?(localPart: string, script: string | null): Promise<void>;
  /** root pids of the server's process trees (for memory and CPU) */
  rootPids(): number[];
  stop(): Promise<void>;
}
