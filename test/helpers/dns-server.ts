/**
 * A real DNS server for tests, in-process on dns-packet: UDP and TCP on a loopback port,
 * answering from test zones. letterbox reaches it through its configured resolver
 * (`dns.servers = ["127.0.0.1:<port>"]`), so SPF, DKIM, DMARC, MX, MTA-STS, TLSA and DNSBL
 * lookups go over the wire exactly as in production.
 *
 * Names under `secure` zones are answered with the AD bit set, as a DNSSEC-validating
 * recursive resolver does for signed zones (letterbox trusts its resolver's AD bit, as
 * RFC 7672 §2.1 asks; it does not validate signatures itself). Records can be changed
 * while the server runs (set/remove).
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import * as packet from 'dns-packet';

export type RecordData =
  | { type: 'A' | 'AAAA' | 'CNAME' | 'PTR' | 'NS'; data: string }
  | { type: 'MX'; data: { preference: number; exchange: string } }
  | { type: 'TXT'; data: string }
  | { type: 'TLSA'; data: { usage: number; selector: number; matchingType: number; certificate: Buffer } };

export interface TestDns {
  port: number;
  /** "127.0.0.1:<port>" for dns.servers */
  server: string;
  /** replaces the records of `type` at `name` */
  set(name: string, records: RecordData[]): void;
  add(name: string, record: RecordData): void;
  remove(name: string, type?: string): void;
  /** answers names under this zone with the AD bit from now on */
  secure(zone: string): void;
  /** queries answered so far, "name TYPE" */
  queries: string[];
  close(): Promise<void>;
}

const norm = (n: string) => n.toLowerCase().replace(/\.$/, '');

/** TXT strings longer than 255 bytes are split into several character-strings (RFC 1035 §3.3.14) */
function txtChunks(s: string): Buffer[] {
  const b = Buffer.from(s, 'utf8');
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += 255) out.push(b.subarray(i, i + 255));
  return out.length ? out : [Buffer.alloc(0)];
}

export async function startTestDns(opts: { records?: Record<string, RecordData[]>; secure?: string[] } = {}): Promise<TestDns> {
  const zone = new Map<string, RecordData[]>();
  const secure = (opts.secure ?? []).map(norm);
  const queries: string[] = [];
  for (const [name, recs] of Object.entries(opts.records ?? {})) zone.set(norm(name), [...recs]);

  const isSecure = (name: string) => secure.some((z) => name === z || name.endsWith('.' + z));

  function answer(query: Buffer): Buffer {
    const q = packet.decode(query);
    const question = q.questions?.[0];
    const base = { id: q.id, type: 'response' as const, questions: q.questions ?? [] };
    if (!question) return packet.encode({ ...base, flags: packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE | 1 /* FORMERR */ });
    const name = norm(question.name);
    queries.push(`${name} ${question.type}`);
    const answers: packet.Answer[] = [];
    let lookup = name;
    // follow CNAMEs within the zone
    for (let hops = 0; hops < 8; hops++) {
      const recs = zone.get(lookup) ?? [];
      const cname = recs.find((r) => r.type === 'CNAME');
      if (cname && question.type !== 'CNAME') {
        answers.push({ name: lookup, type: 'CNAME', ttl: 60, class: 'IN', data: cname.data as string });
        lookup = norm(cname.data as string);
        continue;
      }
      for (const r of recs) {
        if (r.type !== question.type) continue;
        const data = r.type === 'TXT' ? txtChunks(r.data) : r.data;
        answers.push({ name: lookup, type: r.type, ttl: 60, class: 'IN', data } as packet.Answer);
      }
      break;
    }
    const exists = zone.has(name) || [...zone.keys()].some((k) => k.endsWith('.' + name));
    let flags = packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE;
    if (isSecure(name)) flags |= packet.AUTHENTIC_DATA;
    const rcode = answers.length || exists ? 0 : 3; // NXDOMAIN
    return packet.encode({ ...base, flags: flags | rcode, answers });
  }

  const udp: UdpSocket = createSocket('udp4');
  udp.on('message', (msg, rinfo) => {
    let reply: Buffer;
    try {
      reply = answer(msg);
    } catch {
      return;
    }
    udp.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
  const port = (udp.address() as AddressInfo).port;

  // TCP on the same port number (resolvers retry over TCP when a UDP answer is truncated)
  const tcpSockets = new Set<Socket>();
  const tcp: Server = createServer((s) => {
    tcpSockets.add(s);
    s.on('close', () => tcpSockets.delete(s));
    s.on('error', () => {});
    let buf = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) break;
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        try {
          const reply = answer(msg);
          const head = Buffer.alloc(2);
          head.writeUInt16BE(reply.length);
          s.write(Buffer.concat([head, reply]));
        } catch {
          s.destroy();
        }
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(port, '127.0.0.1', () => resolve());
  }).catch(() => {
    // the TCP port may be taken by someone else; UDP alone serves our small answers
  });

  return {
    port,
    server: `127.0.0.1:${port}`,
    queries,
    set(name, records) {
      const key = norm(name);
      const types = new Set(records.map((r) => r.type));
      const kept = (zone.get(key) ?? []).filter((r) => !types.has(r.type));
      zone.set(key, [...kept, ...records]);
    },
    add(name, record) {
      const key = norm(name);
      zone.set(key, [...(zone.get(key) ?? []), record]);
    },
    secure(zone) {
      secure.push(norm(zone));
    },
    remove(name, type) {
      const key = norm(name);
      if (!type) zone.delete(key);
      else zone.set(key, (zone.get(key) ?? []).filter((r) => r.type !== type));
    },
    async close() {
      udp.close();
      for (const s of tcpSockets) s.destroy();
      await new Promise<void>((r) => (tcp.listening ? tcp.close(() => r()) : r()));
    },
  };
}
