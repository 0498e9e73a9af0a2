/**
 * Limits and failures: idle timeout, graceful shutdown, LOGIN-DELAY, throttled logins,
 * store failures at login ([SYS/TEMP]) and at QUIT (nothing removed, [SYS/TEMP]).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pop3Client } from './client.js';
import { message, PASS, pop3Fixture, USER } from './setup.js';
import { StoreError, type Store } from '../../../src/store/types.js';

test('idle timeout closes the connection with -ERR', async () => {
  const f = await pop3Fixture({ config: { limits: { pop3_idle_timeout_s: 1 } } });
  try {
    const c = await Pop3Client.connect(f.port);
    await c.login(USER, PASS);
    assert.match(await c.readLine(), /^-ERR .*[Ii]dle/);
    await c.closedByServer();
  } finally {
    await f.close();
  }
});

test('commands postpone the idle timeout: it counts from the last complete command line, not from the login', async () => {
  const f = await pop3Fixture({ config: { limits: { pop3_idle_timeout_s: 1 } } });
  try {
    const c = await Pop3Client.connect(f.port);
    await c.login(USER, PASS);
    // 3 s of activity, a NOOP every 0.3 s: three times the idle timeout, never idle for it
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 300));
      assert.match(await c.cmd('NOOP'), /^\+OK/);
    }
    // a partial line is not activity: the session still ends, with the idle response
    c.send('NOO');
    assert.match(await c.readLine(), /^-ERR .*[Ii]dle/);
    await c.closedByServer();
  } finally {
    await f.close();
  }
});

test('shutdown: idle sessions hear "-ERR server shutting down" and are closed; nothing is deleted', async () => {
  const abort = new AbortController();
  const f = await pop3Fixture({ wrap: (ctx) => ({ ...ctx, shutdown: abort.signal }) });
  try {
    await f.seed(message(1));
    const c = await Pop3Client.connect(f.port);
    await c.login(USER, PASS);
    await c.cmd('DELE 1');
    abort.abort();
    assert.equal(await c.readLine(), '-ERR server shutting down');
    await c.closedByServer();
    assert.equal((await f.t.ctx.store.snapshot(f.account.id, f.inboxId)).uids.length, 1);
    // new connections during shutdown are turned away as well
    const d = await Pop3Client.connect(f.port).catch(() => null);
    if (d) assert.match(d.greeting, /^-ERR server shutting down/);
  } finally {
    await f.close();
  }
});

test('LOGIN-DELAY: advertised in seconds, a second login too soon gets -ERR [LOGIN-DELAY]', async () => {
  const f = await pop3Fixture({ config: { pop3: { login_delay_min: 5 } } });
  try {
    const c = await Pop3Client.connect(f.port);
    assert.ok((await c.lines('CAPA')).includes('LOGIN-DELAY 300'));
    assert.match(await c.login(USER, PASS), /^\+OK/);
    await c.cmd('QUIT');
    const d = await Pop3Client.connect(f.port);
    assert.match(await d.login(USER, PASS), /^-ERR \[LOGIN-DELAY\] /);
    await d.cmd('QUIT');
  } finally {
    await f.close();
  }
});

test('throttled logins answer -ERR [SYS/TEMP] even with the right password', async () => {
  const f = await pop3Fixture({ config: { limits: { failed_logins_per_account: 2, failed_logins_per_ip: 50 } } });
  try {
    const c = await Pop3Client.connect(f.port);
    const answers: string[] = [];
    for (let i = 0; i < 3; i++) answers.push(await c.login(USER, 'wrong'));
    assert.match(answers[0]!, /^-ERR \[AUTH\] /);
    assert.match(await c.login(USER, PASS), /^-ERR \[SYS\/TEMP\] /);
    await c.cmd('QUIT');
  } finally {
    await f.close();
  }
});

function failingStore(store: Store, method: 'pop3List' | 'pop3Delete'): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === method) return async () => Promise.reject(new StoreError('TEMP', 'database is locked'));
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

test('store failure at login: -ERR [SYS/TEMP], the lock is released, still AUTHORIZATION', async () => {
  const f = await pop3Fixture({ wrap: (ctx) => ({ ...ctx, store: failingStore(ctx.store, 'pop3List') }) });
  try {
    const c = await Pop3Client.connect(f.port);
    assert.match(await c.login(USER, PASS), /^-ERR \[SYS\/TEMP\] /);
    assert.match(await c.login(USER, PASS), /^-ERR \[SYS\/TEMP\] /, 'not [IN-USE]: lock released');
    await c.cmd('QUIT');
  } finally {
    await f.close();
  }
});

test('store failure at QUIT: -ERR [SYS/TEMP] and the messages stay', async () => {
  const f = await pop3Fixture({ wrap: (ctx) => ({ ...ctx, store: failingStore(ctx.store, 'pop3Delete') }) });
  try {
    await f.seed(message(1));
    const c = await Pop3Client.connect(f.port);
    await c.login(USER, PASS);
    await c.cmd('DELE 1');
    assert.match(await c.cmd('QUIT'), /^-ERR \[SYS\/TEMP\] /);
    await c.closedByServer();
    assert.equal((await f.t.ctx.store.snapshot(f.account.id, f.inboxId)).uids.length, 1);
  } finally {
    await f.close();
  }
});

test('idle timeout and shutdown also apply while the server waits for an AUTH continuation line', async () => {
  const f = await pop3Fixture({ config: { limits: { pop3_idle_timeout_s: 1 } } });
  try {
    const c = await Pop3Client.connect(f.port);
    assert.match(await c.cmd('AUTH LOGIN'), /^\+ /);
    assert.match(await c.readLine(), /^-ERR .*[Ii]dle/);
    await c.closedByServer();
  } finally {
    await f.close();
  }
  const abort = new AbortController();
  const g = await pop3Fixture({ wrap: (ctx) => ({ ...ctx, shutdown: abort.signal }) });
  try {
    const c = await Pop3Client.connect(g.port);
    assert.match(await c.cmd('AUTH PLAIN'), /^\+/);
    abort.abort();
    assert.equal(await c.readLine(), '-ERR server shutting down');
    await c.closedByServer();
  } finally {
    await g.close();
  }
});
