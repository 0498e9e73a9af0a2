/**
 * LIST / LSUB / SUBSCRIBE the way a peer compliance suite probes them (RFC 9051 §6.3.9;
 * RFC 3501 §6.3.9 LSUB with "%"; RFC 5258 LIST-EXTENDED selection and return options,
 * \NonExistent, CHILDINFO with RECURSIVEMATCH).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type ImapClient, type ImapServer } from '../harness.js';

/** LIST/LSUB lines → { name: attributes } (attributes sorted, extended data kept apart) */
function listed(lines: string[]): Record<string, { attrs: string[]; ext: string }> {
  const out: Record<string, { attrs: string[]; ext: string }> = {};
  for (const l of lines) {
    const m = /^\* (?:LIST|LSUB) \(([^)]*)\) (?:"\/"|NIL) ("(?:[^"\\]|\\.)*"|[^ ]+)(.*)$/.exec(l);
    if (!m) continue;
    const name = m[2]!.startsWith('"') ? m[2]!.slice(1, -1) : m[2]!;
    out[name] = { attrs: m[1]!.split(' ').filter(Boolean).map((a) => a.toLowerCase()).sort(), ext: m[3]!.trim().toUpperCase() };
  }
  return out;
}

describe('imap compliance: LIST, LSUB, SUBSCRIBE', () => {
  let server: ImapServer;
  let c: ImapClient;
  before(async () => {
    server = await startServer();
    c = await server.login();
  });
  after(() => server.close());

  async function ok(cmd: string): Promise<string[]> {
    const r = await c.command(`t ${cmd}`);
    assert.match(r.tagged, /^t OK/, `${cmd}: ${r.tagged}`);
    return r.untagged;
  }

  it('% stops at the separator, * does not; several % and * in one pattern', async () => {
    for (const n of ['L/', 'L/test', 'L/test2', 'L/test3/', 'L/test3/test4/', 'L/test3/test4/test5']) await ok(`CREATE ${n}`);
    assert.deepEqual(Object.keys(listed(await ok('LIST "" L/%'))).sort(), ['L/test', 'L/test2', 'L/test3']);
    assert.deepEqual(Object.keys(listed(await ok('LIST "" L/%/%'))), ['L/test3/test4']);
    assert.deepEqual(Object.keys(listed(await ok('LIST "" L/*'))).sort(), ['L/test', 'L/test2', 'L/test3', 'L/test3/test4', 'L/test3/test4/test5']);
    assert.deepEqual(Object.keys(listed(await ok('LIST L/ *'))).sort(), ['L/test', 'L/test2', 'L/test3', 'L/test3/test4', 'L/test3/test4/test5']);
    assert.deepEqual(Object.keys(listed(await ok('LIST "" L/*test4'))), ['L/test3/test4']);
    assert.deepEqual(Object.keys(listed(await ok('LIST "" L/%3/%'))), ['L/test3/test4']);
    assert.deepEqual(Object.keys(listed(await ok('LIST "" L/%t*4'))), ['L/test3/test4']);
    await ok('DELETE L/test2');
    assert.ok(!('L/test2' in listed(await ok('LIST "" L/*'))));
    assert.deepEqual(listed(await ok('LIST "" ""'))[''], { attrs: ['\\noselect'], ext: '' });
    assert.ok('INBOX' in listed(await ok('LIST "" inbox')));
    // NIL is the string "NIL" here, not an error (imaptest "nil")
    await ok('LIST "" NIL');
  });

  it('LSUB: unsubscribed parents appear \\Noselect only where "%" hides the subscribed child', async () => {
    for (const n of ['S/test', 'S/test2/test', 'S/test3/test3']) await ok(`CREATE ${n}`);
    for (const n of ['S/test', 'S/test2/test', 'S/test3/test3']) await ok(`SUBSCRIBE ${n}`);
    const pct = listed(await ok('LSUB "" S/%'));
    assert.deepEqual(Object.keys(pct).sort(), ['S/test', 'S/test2', 'S/test3']);
    assert.deepEqual(pct['S/test']!.attrs, []);
    assert.deepEqual(pct['S/test2']!.attrs, ['\\noselect']);
    assert.deepEqual(Object.keys(listed(await ok('LSUB "" *test'))).sort(), ['S/test', 'S/test2/test']);
    assert.deepEqual(Object.keys(listed(await ok('LSUB "" S/*'))).sort(), ['S/test', 'S/test2/test', 'S/test3/test3']);
    await ok('UNSUBSCRIBE S/test');
    assert.ok(!('S/test' in listed(await ok('LSUB "" S/%'))));
    await ok('UNSUBSCRIBE S/test3/test3');
    assert.ok(!('S/test3' in listed(await ok('LSUB "" S/%'))));
  });

  it('LIST-EXTENDED: bad options are BAD; SUBSCRIBED lists a deleted mailbox as \\NonExistent', async () => {
    for (const bad of ['LIST (imaptest) "" ""', 'LIST (recursivematch) "" ""', 'LIST (recursivematch remote) "" ""', 'LIST "" "" return (imaptest)']) {
      assert.match((await c.command(`b ${bad}`)).tagged, /^b BAD/, bad);
    }
    await ok('LIST (remote) "" %');
    for (const n of ['X/test1', 'X/test2/test1', 'X/test3', 'X/test6', 'X/test7/test7', 'X/test8/test8', 'X/test8/test9']) await ok(`CREATE ${n}`);
    for (const n of ['X/test1', 'X/test2/test1', 'X/test6', 'X/test7/test7', 'X/test8/test8', 'X/test8/test9']) await ok(`SUBSCRIBE ${n}`);
    await ok('DELETE X/test6');
    const subs = listed(await ok('LIST (SUBSCRIBED) "" X/*'));
    assert.deepEqual(Object.keys(subs).sort(), ['X/test1', 'X/test2/test1', 'X/test6', 'X/test7/test7', 'X/test8/test8', 'X/test8/test9']);
    assert.ok(subs['X/test6']!.attrs.includes('\\nonexistent') && subs['X/test6']!.attrs.includes('\\subscribed'));
    assert.ok(!subs['X/test6']!.attrs.includes('\\noselect'));
    for (const n of ['X/test1', 'X/test7/test7']) assert.ok(subs[n]!.attrs.includes('\\subscribed'), n);
  });

  it('RECURSIVEMATCH: CHILDINFO only for subscribed descendants that are not listed themselves', async () => {
    const t2 = listed(await ok('LIST (SUBSCRIBED RECURSIVEMATCH) "" X/test2% RETURN (CHILDREN)'));
    assert.deepEqual(Object.keys(t2), ['X/test2']);
    assert.ok(t2['X/test2']!.attrs.includes('\\haschildren') && !t2['X/test2']!.attrs.includes('\\subscribed'));
    assert.match(t2['X/test2']!.ext, /^\("?CHILDINFO"? \("SUBSCRIBED"\)\)$/);
    const t7 = listed(await ok('LIST (SUBSCRIBED RECURSIVEMATCH) "" *test7'));
    assert.deepEqual(Object.keys(t7), ['X/test7/test7']);
    const t8 = listed(await ok('LIST (SUBSCRIBED RECURSIVEMATCH) "" *test8'));
    assert.deepEqual(Object.keys(t8).sort(), ['X/test8', 'X/test8/test8']);
    assert.match(t8['X/test8']!.ext, /CHILDINFO/);
    assert.equal(t8['X/test8/test8']!.ext, '');
    assert.match(listed(await ok('LIST (SUBSCRIBED RECURSIVEMATCH) "" (X/test2)'))['X/test2']!.ext, /CHILDINFO/);
    const both = listed(await ok('LIST (SUBSCRIBED RECURSIVEMATCH) "" (X/test2 X/test2/test1)'));
    assert.deepEqual(Object.keys(both), ['X/test2/test1']);
    const ret = listed(await ok('LIST "" X/% RETURN (CHILDREN SUBSCRIBED)'));
    assert.deepEqual(ret['X/test1']!.attrs, ['\\hasnochildren', '\\subscribed']);
    assert.ok(ret['X/test2']!.attrs.includes('\\haschildren') && !ret['X/test2']!.attrs.includes('\\subscribed'));
    const multi = listed(await ok('LIST "" (X/*2 X/test3)'));
    assert.deepEqual(Object.keys(multi).sort(), ['X/test2', 'X/test3']);
    const pair = listed(await ok('LIST "" (X/test7 X/test7/test7)'));
    assert.ok(!pair['X/test7'] || !pair['X/test7'].attrs.includes('\\nonexistent'));
  });
});
