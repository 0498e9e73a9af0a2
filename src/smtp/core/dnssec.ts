/**
 * DNS questions whose answer must come with the AD bit (DNSSEC-validated by the recursive
 * resolver): DANE's TLSA and MX lookups (RFC 7672 §2.1). node's resolver does not expose
 * the AD bit, so these go over UDP (dns-packet) to the configured servers (`dns.servers`,
 * else the system's) with the DO and AD bits set. letterbox trusts its resolver's
 * validation, as RFC 7672 asks: run a validating resolver (unbound) on the host or network.
 */
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import * as packet from 'dns-packet';
import { aLabel } from '../../net/dns-name.js';

export interface SecureAnswer<T> {
  /** the resolver validated the answer (AD bit) */
  secure: boolean;
  /** NOERROR with records, or an empty list for NXDOMAIN/NODATA */
  records: T[];
}

export function querySecure<T>(servers: Array<[string, number]>, name: string, type: packet.RecordType, timeoutMs: number): Promise<SecureAnswer<T>> {
  const [host, port] = servers[0] ?? ['127.0.0.1', 53];
  const id = randomBytes(2).readUInt16BE(0);
  const query = packet.encode({
    type: 'query',
    id,
    flags: packet.RECURSION_DESIRED | packet.AUTHENTIC_DATA,
    questions: [{ type, name: aLabel(name), class: 'IN' }],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4096, flags: packet.DNSSEC_OK } as packet.Answer],
  });
  return new Promise((resolve, reject) => {
    const sock = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const done = (err: Error | null, v?: SecureAnswer<T>) => {
      clearTimeout(timer);
      sock.close();
      if (err) reject(err);
      else resolve(v!);
    };
    const timer = setTimeout(() => done(Object.assign(new Error(`DNS: no answer for ${name} ${type} from ${host}:${port}`), { code: 'ETIMEOUT' })), timeoutMs);
    sock.on('error', (e) => done(e));
    sock.on('message', (msg) => {
      let res: packet.Packet;
      try {
        res = packet.decode(msg);
      } catch {
        return;
      }
      if (res.id !== id) return;
      const rcode = (res.flags ?? 0) & 0x0f;
      if (rcode !== 0 && rcode !== 3) return done(Object.assign(new Error(`DNS: ${name} ${type} failed (rcode ${rcode})`), { code: 'ESERVFAIL' }));
      const records = (res.answers ?? []).filter((a) => a.type === type).map((a) => (a as unknown as { data: T }).data);
      done(null, { secure: ((res.flags ?? 0) & packet.AUTHENTIC_DATA) !== 0, records });
    });
    sock.send(query, port, host);
  });
}
