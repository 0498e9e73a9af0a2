/**
 * What the built-in spam classifier costs on inbound SMTP (issue 15 asks for at most 15 %):
 * the same letterbox, once with `spam.bayes.enabled = false` and once with it on and every
 * recipient's classifier trained over IMAP (corpus messages moved into Junk and some back
 * out, so each account has learned spam and ham and the classifier gives verdicts on every
 * message; the run without it does the same IMAP work, so both stores hold the same mail). The clock runs until the last 250: letterbox answers 250 only once the message is
 * committed to its mailbox (INBOX or Junk), so that is also when it is delivered. Runs
 * alternate off / on twice and keep each side's best, to damp the noise of a shared machine.
 */
import { RawImap } from '../lib/imap-client.js';
import { processTree, treeCpuSeconds } from '../lib/proc.js';
import { startLetterbox } from '../targets/letterbox.js';
import type { Target } from '../targets/target.js';
import type { Figure } from '../report.js';
import { dotStuff, sendMessages } from './smtp.js';

const USERS = Array.from({ length: 20 }, (_, i) => `rcpt${i + 1}`);
const PASSWORD = 'bench-password';

/** 10 corpus messages into Junk (learned as spam), then 5 of them back to INBOX (learned as ham) */
async function train(t: Target, corpus: Buffer[], user: string, offset: number): Promise<void> {
  const c = await RawImap.connect(t.imapPort);
  await c.login(`${user}@${t.domain}`, PASSWORD);
  for (let i = 0; i < 10; i++) {
    const r = await c.append('INBOX', corpus[(offset + i) % corpus.length]!);
    if (r.status !== 'OK') throw new Error(`APPEND: ${r.text}`);
  }
  await c.cmd('SELECT INBOX');
  if ((await c.cmd('UID MOVE 1:* Junk')).status !== 'OK') throw new Error('UID MOVE to Junk failed');
  await c.cmd('SELECT Junk');
  if ((await c.cmd('UID MOVE 1:5 INBOX')).status !== 'OK') throw new Error('UID MOVE to INBOX failed');
  await c.logout();
}

async function inbound(t: Target, stuffed: Buffer[], total: number, senders: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  await sendMessages(t, stuffed, total, senders, USERS);
  return total / (Number(process.hrtime.bigint() - t0) / 1e9);
}

interface Run {
  rate: number;
  /** server CPU ms per message (all threads) */
  cpu: number;
}

async function oneRun(corpus: Buffer[], stuffed: Buffer[], total: number, senders: number, bayes: boolean): Promise<Run> {
  const t = await startLetterbox({ extraToml: `[spam.bayes]\nenabled = ${bayes}\n` });
  try {
    const t0 = Date.now();
    await t.addUsers(USERS, PASSWORD);
    const t1 = Date.now();
    // the same IMAP work either way, so both stores hold the same messages; only the classifier learns from it
    await Promise.all(USERS.map((u, i) => train(t, corpus, u, i * 10)));
    // learning runs after each MOVE has answered: let it finish before the clock starts
    if (bayes) await new Promise((r) => setTimeout(r, 5000));
    const t2 = Date.now();
    const pids = () => t.rootPids().flatMap((p) => processTree(p));
    const cpu0 = treeCpuSeconds(pids());
    const rate = await inbound(t, stuffed, total, senders);
    const cpu = ((treeCpuSeconds(pids()) - cpu0) / total) * 1000;
    process.stderr.write(` [${bayes ? 'on' : 'off'}: users ${t1 - t0} ms, training ${t2 - t1} ms, ${rate.toFixed(0)} msg/s, ${cpu.toFixed(2)} ms CPU/msg]`);
    return { rate, cpu };
  } finally {
    await t.stop();
  }
}

export async function spamClassifierCost(corpus: Buffer[], total: number, senders: number): Promise<Figure[]> {
  const stuffed = corpus.map(dotStuff);
  const offs: Run[] = [];
  const ons: Run[] = [];
  for (let round = 0; round < 3; round++) {
    offs.push(await oneRun(corpus, stuffed, total, senders, false));
    ons.push(await oneRun(corpus, stuffed, total, senders, true));
  }
  const off = Math.max(...offs.map((r) => r.rate));
  const on = Math.max(...ons.map((r) => r.rate));
  const cpuOff = Math.min(...offs.map((r) => r.cpu));
  const cpuOn = Math.min(...ons.map((r) => r.cpu));
  return [
    { key: 'spam.inbound_rate_bayes_off', label: `SMTP inbound, classifier off (${total} msgs, ${senders} senders)`, unit: 'msg/s', better: 'higher', value: off },
    { key: 'spam.inbound_rate_bayes_on', label: 'SMTP inbound, classifier on and trained', unit: 'msg/s', better: 'higher', value: on },
    { key: 'spam.bayes_cost_pct', label: 'inbound rate lost to the classifier (target ≤ 15 %)', unit: '%', better: 'lower', value: ((off - on) / off) * 100 },
    { key: 'spam.cpu_per_msg_bayes_off', label: 'server CPU per inbound message, classifier off', unit: 'ms', better: 'lower', value: cpuOff },
    { key: 'spam.cpu_per_msg_bayes_on', label: 'server CPU per inbound message, classifier on', unit: 'ms', better: 'lower', value: cpuOn },
  ];
}
