/**
 * Sieve at delivery: inbound SMTP with a 50-rule script active for every recipient, beside
 * the same delivery with no script. Rounds alternate (none, script, none, script) so drift
 * of the machine falls on both; the figure that matters is the cost: how much of the
 * inbound rate the script takes (the bound: at most 10 %). Beside the rate, the
 * server's CPU time per message: on a busy shared machine the rate is often bound by the
 * senders or by other processes, where the script's cost shows only in CPU. letterbox only
 * (the peers have no script upload here).
 *
 * The script is the worst case of its size: none of its rules matches the corpus, so all
 * 50 tests run for every message (header :contains / :matches, address, envelope :detail,
 * exists, size, anyof/not); no body test (a body test parses the MIME structure again).
 */
import type { Target } from '../targets/target.js';
import type { Figure } from '../report.js';
import { dotStuff, sendMessages } from './smtp.js';
import { processTree, treeCpuSeconds } from '../lib/proc.js';

export function fiftyRules(): string {
  const rules: string[] = ['require ["fileinto", "envelope", "subaddress", "imap4flags", "relational", "comparator-i;ascii-numeric", "variables"];'];
  for (let i = 0; i < 15; i++) rules.push(`if header :contains "subject" "zq-nomatch-${i}" { fileinto "Rule${i}"; stop; }`);
  for (let i = 15; i < 25; i++) rules.push(`if address :domain :is "from" "nomatch${i}.invalid" { fileinto "Rule${i}"; stop; }`);
  for (let i = 25; i < 30; i++) rules.push(`if envelope :detail "to" "nomatch${i}" { fileinto "Rule${i}"; stop; }`);
  for (let i = 30; i < 38; i++) rules.push(`if header :matches ["subject", "list-id"] "*[zq${i}]*" { fileinto "Rule${i}"; stop; }`);
  for (let i = 38; i < 43; i++) rules.push(`if anyof (header :is "list-id" "<nomatch${i}.invalid>", exists "x-nomatch-${i}") { fileinto "Rule${i}"; stop; }`);
  for (let i = 43; i < 46; i++) rules.push(`if size :over ${100 + i}M { fileinto "Rule${i}"; stop; }`);
  for (let i = 46; i < 49; i++) rules.push(`if header :value "ge" :comparator "i;ascii-numeric" "x-nomatch-score-${i}" "${i}" { addflag "$rule${i}"; }`);
  rules.push('if not exists "date" { addflag "$nodate"; }');
  return rules.join('\n') + '\n';
}

export async function sieveInbound(t: Target, corpus: Buffer[], perRound: number, senders: number): Promise<Figure[]> {
  if (!t.putSieve) return [];
  const users = Array.from({ length: 4 }, (_, i) => `sieve${i + 1}`);
  await t.addUsers(users, 'bench-password');
  const script = fiftyRules();
  const stuffed = corpus.map(dotStuff);
  const rates = { none: [] as number[], script: [] as number[] };
  const cpu = { none: [] as number[], script: [] as number[] };
  const pids = () => t.rootPids().flatMap((p) => processTree(p));
  for (let round = 0; round < 4; round++) {
    const withScript = round % 2 === 1;
    for (const u of users) await t.putSieve(u, withScript ? script : null);
    const cpu0 = treeCpuSeconds(pids());
    const t0 = process.hrtime.bigint();
    await sendMessages(t, stuffed, perRound, senders, users);
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    (withScript ? rates.script : rates.none).push(perRound / s);
    (withScript ? cpu.script : cpu.none).push(((treeCpuSeconds(pids()) - cpu0) / perRound) * 1000);
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const none = mean(rates.none);
  const withScript = mean(rates.script);
  return [
    { key: 'sieve.inbound_rate_none', label: `SMTP inbound, no Sieve script (${perRound} msgs × 2)`, unit: 'msg/s', better: 'higher', value: none },
    { key: 'sieve.inbound_rate_50', label: 'SMTP inbound, 50-rule Sieve script active', unit: 'msg/s', better: 'higher', value: withScript },
    { key: 'sieve.cost_pct', label: 'share of the inbound rate the 50-rule script costs (bound: 10 %)', unit: '%', better: 'lower', value: (100 * (none - withScript)) / none },
    { key: 'sieve.cpu_per_msg_none', label: 'server CPU per inbound message, no Sieve script', unit: 'ms', better: 'lower', value: mean(cpu.none) },
    { key: 'sieve.cpu_per_msg_50', label: 'server CPU per inbound message, 50-rule Sieve script', unit: 'ms', better: 'lower', value: mean(cpu.script) },
  ];
}
