/** Deterministic message n for the durability test (parent and child build the same bytes). */
export function durableMessage(n: number): Buffer {
  const body = `message ${n}\r\n` + 'x'.repeat(n % 997) + '\r\n\u00e9\r\n';
  return Buffer.from(`From: a@example.org\r\nTo: d@example.test\r\nSubject: durable ${n}\r\n\r\n${body}`, 'utf8');
}
