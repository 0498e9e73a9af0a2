import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkConfigFiles, ConfigError, loadConfig, parseConfig, resolveConfigPath } from '../../../src/config/load.js';

function tempDir(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'letterbox-config-'));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

function loadError(text: string, file = '/etc/letterbox/letterbox.toml'): ConfigError {
  try {
    parseConfig(text, file, '/etc/letterbox');
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the configuration to be rejected');
}

test('an empty file gives the quick-start defaults', () => {
  const c = parseConfig('', '/x/letterbox.toml', '/x');
  assert.equal(c.listeners.imap.port, 2143);
  assert.equal(c.listeners.smtp.port, 2525);
  assert.equal(c.listeners.http.port, 8080);
  assert.equal(c.data_dir, '/x/data');
  assert.equal(c.pop3.delete_policy, 'retain');
});

test('values from the file override defaults; nested tables work', () => {
  const c = parseConfig('hostname = "mail.example.com"\n[listeners.imap]\nport = 143\naddress = "127.0.0.1"\n[pop3]\ndelete_policy = "trash"\n', null, '/x');
  assert.equal(c.hostname, 'mail.example.com');
  assert.equal(c.listeners.imap.port, 143);
  assert.equal(c.listeners.imap.address, '127.0.0.1');
  assert.equal(c.listeners.imap.tls, 'starttls');
  assert.equal(c.pop3.delete_policy, 'trash');
});

test('wrong type: the error names the file, the key path and the reason', () => {
  const e = loadError('[listeners.imap]\nport = "143"\n');
  assert.match(e.message, /^\/etc\/letterbox\/letterbox\.toml: listeners\.imap\.port: expected a number, got the string "143"$/);
  assert.equal(e.file, '/etc/letterbox/letterbox.toml');
});

test('out of range and not an integer', () => {
  assert.match(loadError('[listeners.pop3]\nport = 70000\n').message, /letterbox\.toml: listeners\.pop3\.port: must be at most 65535; got the integer 70000/);
  assert.match(loadError('[limits]\nmessage_size = 1.5\n').message, /limits\.message_size: expected an integer, got the number 1\.5/);
  assert.match(loadError('[limits]\nconnections_per_ip = 0\n').message, /limits\.connections_per_ip: must be greater than 0/);
});

test('an unknown key is named with a suggestion and the valid keys', () => {
  const e = loadError('[listeners.imap]\nprot = 143\n');
  assert.match(e.message, /listeners\.imap\.prot: unknown key \(did you mean "port"\?\); valid keys here: enabled, address, port, tls/);
  assert.match(loadError('hostnme = "x"\n').message, /: hostnme: unknown key \(did you mean "hostname"\?\)/);
  assert.match(loadError('[listeners.imap4]\nport = 1\n').message, /listeners\.imap4: unknown key/);
});

test('a bad enum value lists the allowed values', () => {
  const e = loadError('[listeners.imaps]\ntls = "ssl"\n');
  assert.match(e.message, /listeners\.imaps\.tls: must be one of "implicit", "starttls", "none"; got the string "ssl"/);
});

test('several problems are reported together, one line each', () => {
  const e = loadError('hostname = ""\n[log]\nlevel = "loud"\n');
  assert.equal(e.problems.length, 2);
  assert.match(e.message, /hostname: must not be empty/);
  assert.match(e.message, /log\.level: must be one of/);
  assert.equal(e.message.split('\n').length, 2);
});

test('TOML syntax errors give the line and column', () => {
  const e = loadError('hostname = "a"\nport = [\n');
  assert.match(e.message, /^\/etc\/letterbox\/letterbox\.toml: line \d+, column \d+: TOML syntax error/);
});

test('cross-key rules: cert without key, two listeners on one port', () => {
  assert.match(loadError('[tls]\ncert = "/c.pem"\n').message, /tls\.key: missing; tls\.cert and tls\.key must be given together/);
  assert.match(
    loadError('[listeners.pop3]\nport = 2143\n').message,
    /listeners\.pop3\.port: port 2143 is already used by listeners\.imap/,
  );
  // a disabled listener may keep its port
  parseConfig('[listeners.pop3]\nport = 2143\n[listeners.imap]\nenabled = false\n', null, '/x');
});

test('missing file: defaults at the default path, an error at an explicit path', () => {
  const t = tempDir();
  try {
    const loaded = loadConfig(join(t.dir, 'letterbox.toml'), { explicit: false, cwd: t.dir });
    assert.equal(loaded.file, null);
    assert.equal(loaded.config.data_dir, join(t.dir, 'data'));
    assert.throws(
      () => loadConfig(join(t.dir, 'nope.toml'), { explicit: true }),
      (e: Error) => e instanceof ConfigError && e.message.includes(join(t.dir, 'nope.toml')) && /not found/.test(e.message),
    );
  } finally {
    t.done();
  }
});

test('relative paths are resolved against the configuration file directory', () => {
  const t = tempDir();
  try {
    mkdirSync(join(t.dir, 'etc'));
    const file = join(t.dir, 'etc', 'lb.toml');
    writeFileSync(file, 'data_dir = "../var/mail"\n[tls]\ncert = "certs/c.pem"\nkey = "/abs/k.pem"\n');
    const { config, file: used } = loadConfig(file, { explicit: true });
    assert.equal(used, file);
    assert.equal(config.data_dir, join(t.dir, 'var', 'mail'));
    assert.equal(config.tls.cert, join(t.dir, 'etc', 'certs', 'c.pem'));
    assert.equal(config.tls.key, '/abs/k.pem');
    const problems = checkConfigFiles(config);
    assert.equal(problems.length, 2);
    assert.match(problems[0]!, /^tls\.cert: cannot read .*c\.pem: file not found$/);
  } finally {
    t.done();
  }
});

test('resolveConfigPath: -c beats $LETTERBOX_CONFIG beats ./letterbox.toml', () => {
  assert.deepEqual(resolveConfigPath('a.toml', { LETTERBOX_CONFIG: '/e.toml' }, '/w'), { path: '/w/a.toml', explicit: true });
  assert.deepEqual(resolveConfigPath(undefined, { LETTERBOX_CONFIG: '/e.toml' }, '/w'), { path: '/e.toml', explicit: true });
  assert.deepEqual(resolveConfigPath(undefined, {}, '/w'), { path: '/w/letterbox.toml', explicit: false });
});

test('the shipped example configurations are valid', () => {
  const example = loadConfig('config/letterbox.example.toml', { explicit: true });
  assert.equal(example.config.listeners.imap.port, 2143);
  const prod = loadConfig('config/production.toml', { explicit: true });
  const ports = Object.fromEntries(Object.entries(prod.config.listeners).map(([n, l]) => [n, l.port]));
  assert.deepEqual(ports, { smtp: 25, submission: 587, submissions: 465, imap: 143, imaps: 993, pop3: 110, pop3s: 995, http: 80, https: 443, managesieve: 4190 });
  assert.equal(prod.config.data_dir, '/var/lib/letterbox');
});

test('warnings for valid but risky settings', async () => {
  const { configWarnings } = await import('../../../src/config/warnings.js');
  assert.deepEqual(configWarnings(parseConfig('', null, '/x')), []);
  const w = configWarnings(
    parseConfig('[listeners.smtp]\nport = 25\n[listeners.imap]\ntls = "none"\n[auth]\nplaintext_allowed_from = ["127.0.0.1", "10.0.0.5"]\n', null, '/x'),
  );
  assert.equal(w.length, 3);
  assert.match(w[0]!, /^hostname: "localhost" on the public SMTP port 25/);
  assert.match(w[1]!, /^listeners\.imap\.tls: "none"/);
  assert.match(w[2]!, /^auth\.plaintext_allowed_from: .*10\.0\.0\.5/);
});

test('dmarc: trusted forwarders server-wide and per local domain, names checked and lower-cased', () => {
  const c = parseConfig('[dmarc]\ntrusted_forwarders = ["Lists.Example.ORG."]\n[dmarc.domains."Example.COM"]\ntrusted_forwarders = ["fwd.example.net"]\n[dmarc.domains."strict.example"]\ntrusted_forwarders = []\n', null, '/x');
  assert.deepEqual(c.dmarc.trusted_forwarders, ['lists.example.org']);
  assert.deepEqual(c.dmarc.domains, { 'example.com': { trusted_forwarders: ['fwd.example.net'] }, 'strict.example': { trusted_forwarders: [] } });
  assert.deepEqual(parseConfig('', null, '/x').dmarc.domains, {});
  const bad = loadError('[dmarc.domains."example.com"]\ntrusted_forwarders = ["not a domain"]\n');
  assert.match(bad.message, /dmarc\.domains\.example\.com\.trusted_forwarders\[0\]: expected a domain name/s);
  assert.match(loadError('[dmarc.domains."example.com"]\nforwarders = ["a.example"]\n').message, /forwarders/);
});
