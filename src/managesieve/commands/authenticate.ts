/**
 * AUTHENTICATE mechanism [initial-response] (RFC 5804 §2.1) over the shared SASL layer
 * (src/auth/sasl.ts) and Authenticator (argon2id, throttling shared with IMAP, app passwords
 * allowed for "managesieve", the devices list, the login metrics). Server
 * challenges are base64 strings; the client answers one string per challenge, "*" aborts.
 */
import { createSasl } from '../../auth/sasl.js';
import { credentialId } from '../../auth/devices.js';
import type { ManageSieveCommand } from '../session/session.js';
import { no, ok, str } from '../wire/response.js';
import { SASL_MECHANISMS } from '../session/capabilities.js';
import type { ManageSieveSession } from '../session/session.js';

async function finish(s: ManageSieveSession, username: string, password: string, mech: string): Promise<void> {
  // as IMAP's login: app passwords allowed for managesieve, the device list, the metrics;
  // a ManageSieve client does not name itself (no ID command), so the device has no program name
  const r = await s.ctx.auth.login(username, password, s.info.remoteAddress, { protocol: 'managesieve' });
  if (!r.ok) {
    s.log.info({ user: username, reason: r.reason, mech }, 'ManageSieve login failed');
    if (r.reason === 'throttled') await s.write(no('Too many failed logins; wait a few minutes before trying again', 'TRYLATER'));
    else if (r.reason === 'temp') await s.write(no('Authentication is temporarily unavailable; try again later', 'TRYLATER'));
    else await s.write(no('Authentication failed: wrong login name or password'));
    return;
  }
  s.account = r.account;
  s.state = 'AUTH';
  s.registration.authenticated(r.account, credentialId(r.credential));
  s.log.info({ user: r.account.address, mech }, 'ManageSieve login');
  await s.write(ok('Logged in'));
}

export const authenticate: ManageSieveCommand = {
  name: 'AUTHENTICATE',
  states: ['NONAUTH'],
  async run(s, args) {
    const mechArg = args[0];
    if (!mechArg || mechArg.type !== 'string' || args.length > 2 || (args[1] && args[1].type !== 'string')) {
      return s.badCommand('Usage: AUTHENTICATE "PLAIN" ["initial response"]');
    }
    if (!s.plaintextAllowed()) {
      await s.write(no('Passwords are only accepted over TLS: use STARTTLS first', 'ENCRYPT-NEEDED'));
      return;
    }
    const mech = mechArg.value.toUpperCase();
    const sasl = SASL_MECHANISMS.includes(mech) ? createSasl(mech) : null;
    if (!sasl) {
      await s.write(no(`Unsupported SASL mechanism ${mech.slice(0, 20)}; use PLAIN or LOGIN`));
      return;
    }
    const ir = args[1];
    let step = sasl.start(ir && ir.type === 'string' ? ir.value : undefined);
    for (;;) {
      if (step.type === 'error') {
        s.log.info({ mech, reason: step.message }, 'ManageSieve AUTHENTICATE exchange failed');
        await s.write(no(`Authentication failed: ${step.message}`));
        return;
      }
      if (step.type === 'done') return finish(s, step.authcid, step.password, mech);
      await s.write(str(step.data) + '\r\n');
      const line = await s.readLine();
      if (line === null) return;
      const a = line[0];
      const value = a && (a.type === 'string' || a.type === 'atom') ? a.value : '';
      if (value.trim() === '*') {
        await s.write(no('Authentication cancelled'));
        return;
      }
      step = sasl.next(value);
    }
  },
};
