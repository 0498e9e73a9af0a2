/** CAPABILITY, NOOP (RFC 5804 §2.4, §2.13), LOGOUT (§2.3), UNAUTHENTICATE (§2.14.1), STARTTLS (§2.2). */
import type { ManageSieveCommand } from '../session/session.js';
import { no, ok, str } from '../wire/response.js';

export const capability: ManageSieveCommand = {
  name: 'CAPABILITY',
  states: ['NONAUTH', 'AUTH'],
  async run(s) {
    await s.write(s.capabilityText() + ok());
  },
};

export const noop: ManageSieveCommand = {
  name: 'NOOP',
  states: ['NONAUTH', 'AUTH'],
  async run(s, args) {
    const tag = args[0];
    if (tag && tag.type === 'string') await s.write(`OK (TAG ${str(tag.value)}) "Done"\r\n`);
    else await s.write(ok('Done'));
  },
};

export const logout: ManageSieveCommand = {
  name: 'LOGOUT',
  states: ['NONAUTH', 'AUTH'],
  async run(s) {
    await s.closeWith(ok('Logout completed'));
  },
};

export const unauthenticate: ManageSieveCommand = {
  name: 'UNAUTHENTICATE',
  states: ['AUTH'],
  async run(s) {
    s.account = null;
    s.state = 'NONAUTH';
    s.registration.unauthenticated();
    await s.write(ok());
  },
};

export const starttls: ManageSieveCommand = {
  name: 'STARTTLS',
  states: ['NONAUTH'],
  async run(s) {
    if (s.secure) return s.write(no('Already using TLS'));
    if (!s.canStartTls()) return s.write(no('STARTTLS is not offered on this port'));
    await s.startTls();
  },
};


