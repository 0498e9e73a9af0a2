/**
 * The base language (RFC 5228): control commands if/elsif/else, stop and require (run by
 * the interpreter itself), keep, discard and redirect (§4), and the tests address,
 * allof, anyof, exists, false, header, not, size and true (§5).
 */
import { matchAny, type Matcher } from '../core/match.js';
import type { CommandSpec, Spec, TestSpec } from '../core/spec.js';
import { addressPart, isValidAddress } from '../core/addresses.js';
import { ADDRESS_PART_TAGS, COMPARATOR_TAG, INDEX_TAGS, MATCH_TAGS, addressPartOf, compileIndex, compileMatcher, strings, pickIndex } from './common.js';
import { actionFlags, FLAGS_TAG } from './imap4flags.js';

const control = (name: string, tests: 0 | 1, block: 'none' | 'required'): CommandSpec => ({ kind: 'command', name, requires: null, positional: [], tests, block });

const keep: CommandSpec = {
  kind: 'command',
  name: 'keep',
  requires: null,
  tags: { ...FLAGS_TAG },
  positional: [],
  run(node, rt) {
    rt.addAction({ type: 'keep', flags: actionFlags(node, rt), raw: rt.view.current(), implicit: false });
    rt.implicitKeep = false;
  },
};

const discard: CommandSpec = {
  kind: 'command',
  name: 'discard',
  requires: null,
  positional: [],
  run(_node, rt) {
    rt.implicitKeep = false;
    rt.addAction({ type: 'discard' });
  },
};

const redirect: CommandSpec = {
  kind: 'command',
  name: 'redirect',
  requires: null,
  tags: { copy: { requires: 'copy' } },
  positional: ['string'],
  check(node, ctx) {
    const a = node.positional[0]!;
    if (a.kind === 'string' && typeof a.value === 'string' && !isValidAddress(a.value)) ctx.error(`redirect needs a valid address, not "${a.value}"`, a.pos);
  },
  run(node, rt) {
    const a = node.positional[0]!;
    const address = a.kind === 'string' ? rt.expand(a.value).trim() : '';
    if (!isValidAddress(address)) rt.fail(`redirect to an invalid address "${address.slice(0, 100)}"`);
    if (++rt.redirects > rt.env.limits.maxRedirects) rt.fail(`more than ${rt.env.limits.maxRedirects} redirects`, 'limit');
    rt.addAction({ type: 'redirect', address: address.toLowerCase(), raw: rt.view.current() });
    if (!node.tags.has('copy')) rt.implicitKeep = false;
  },
};

const bool = (name: string, value: boolean): TestSpec => ({ kind: 'test', name, requires: null, positional: [], run: () => value });

const allof: TestSpec = {
  kind: 'test',
  name: 'allof',
  requires: null,
  positional: [],
  tests: 'list',
  async run(node, rt) {
    for (const t of node.tests) if (!(await t.spec.run!(t, rt))) return false;
    return true;
  },
};

const anyof: TestSpec = {
  kind: 'test',
  name: 'anyof',
  requires: null,
  positional: [],
  tests: 'list',
  async run(node, rt) {
    for (const t of node.tests) if (await t.spec.run!(t, rt)) return true;
    return false;
  },
};

const not: TestSpec = {
  kind: 'test',
  name: 'not',
  requires: null,
  positional: [],
  tests: 1,
  async run(node, rt) {
    const t = node.tests[0]!;
    return !(await t.spec.run!(t, rt));
  },
};

const exists: TestSpec = {
  kind: 'test',
  name: 'exists',
  requires: null,
  positional: ['list'],
  run(node, rt) {
    return strings(node, 0, rt).every((h) => rt.view.has(h));
  },
};

const size: TestSpec = {
  kind: 'test',
  name: 'size',
  requires: null,
  tags: { over: { group: 'size' }, under: { group: 'size' } },
  positional: ['number'],
  check(node, ctx) {
    if (!node.tags.has('over') && !node.tags.has('under')) ctx.error('size needs ":over" or ":under"', node.pos);
  },
  run(node, rt) {
    const n = node.positional[0]!.kind === 'number' ? (node.positional[0] as { value: number }).value : 0;
    return node.tags.has('over') ? rt.view.size > n : rt.view.size < n;
  },
};

const header: TestSpec = {
  kind: 'test',
  name: 'header',
  requires: null,
  tags: { ...COMPARATOR_TAG, ...MATCH_TAGS, ...INDEX_TAGS },
  positional: ['list', 'list'],
  check(node, ctx) {
    compileMatcher(node, ctx);
    compileIndex(node, ctx);
  },
  run(node, rt) {
    const values: string[] = [];
    for (const h of strings(node, 0, rt)) values.push(...pickIndex(node, rt.view.values(h)));
    return matchAny(node.data.matcher as Matcher, values, strings(node, 1, rt), rt);
  },
};

const address: TestSpec = {
  kind: 'test',
  name: 'address',
  requires: null,
  tags: { ...COMPARATOR_TAG, ...MATCH_TAGS, ...ADDRESS_PART_TAGS, ...INDEX_TAGS },
  positional: ['list', 'list'],
  check(node, ctx) {
    compileMatcher(node, ctx);
    compileIndex(node, ctx);
    node.data.part = addressPartOf(node);
  },
  run(node, rt) {
    const part = node.data.part as ReturnType<typeof addressPartOf>;
    const values: string[] = [];
    for (const h of strings(node, 0, rt)) {
      for (const list of pickIndex(node, rt.view.addressLists(h))) {
        for (const [local, domain] of list) {
          const p = addressPart(local, domain, part);
          if (p !== null) values.push(p);
        }
      }
    }
    rt.tick(values.length);
    return matchAny(node.data.matcher as Matcher, values, strings(node, 1, rt), rt);
  },
};

export const CORE: Spec[] = [
  control('if', 1, 'required'),
  control('elsif', 1, 'required'),
  control('else', 0, 'required'),
  control('stop', 0, 'none'),
  keep,
  discard,
  redirect,
  bool('true', true),
  bool('false', false),
  allof,
  anyof,
  not,
  exists,
  size,
  header,
  address,
];
