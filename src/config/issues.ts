/**
 * Turns zod validation issues into operator-readable lines: "KEY: REASON", where KEY is the
 * dotted TOML path (e.g. `listeners.imap.port`) and REASON says what was expected and what
 * was found. The file name is added by ./load.ts.
 */
import type { z } from 'zod';

type Issue = z.core.$ZodIssue;

/** Dotted key path as written in TOML; array indexes as [n]. */
export function keyPath(path: ReadonlyArray<PropertyKey>): string {
  let s = '';
  for (const p of path) {
    if (typeof p === 'number') s += `[${p}]`;
    else s += (s ? '.' : '') + String(p);
  }
  return s || '(top level)';
}

function valueAt(data: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let v: unknown = data;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  if (typeof v === 'number') return Number.isInteger(v) ? `the integer ${v}` : `the number ${v}`;
  if (typeof v === 'boolean') return `the boolean ${v}`;
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Date) return 'a date';
  if (v && typeof v === 'object') return 'a table';
  return String(v);
}

const article = (t: string) => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`);

const TYPE_NAMES: Record<string, string> = {
  number: 'number',
  int: 'integer',
  string: 'string (in quotes)',
  boolean: 'boolean (true or false)',
  object: 'table',
  array: 'array',
  record: 'table',
};

/** Keys a zod object schema accepts at `path`, unwrapping default/prefault/optional wrappers. */
export function knownKeys(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): string[] {
  let s: any = schema;
  const unwrap = () => {
    while (s?.def && ['default', 'prefault', 'optional', 'nullable'].includes(s.def.type)) s = s.def.innerType;
  };
  unwrap();
  for (const p of path) {
    if (s?.def?.type === 'object') s = s.def.shape[p as string];
    else if (s?.def?.type === 'record') s = s.def.valueType;
    else return [];
    unwrap();
  }
  return s?.def?.type === 'object' ? Object.keys(s.def.shape) : [];
}

/** Levenshtein distance, for "did you mean" on misspelt keys. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)] as number[]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length]![b.length]!;
}

function unknownKey(key: string, known: string[]): string {
  if (known.length === 0) return `unknown key "${key}"`;
  const best = known.map((k) => [k, distance(key.toLowerCase(), k)] as const).sort((x, y) => x[1] - y[1])[0]!;
  const hint = best[1] <= Math.max(2, Math.floor(key.length / 3)) ? ` (did you mean "${best[0]}"?)` : '';
  return `unknown key${hint}; valid keys here: ${known.join(', ')}`;
}

/** One "KEY: REASON" line per problem (an unrecognized_keys issue yields one line per key). */
export function formatIssues(issues: ReadonlyArray<Issue>, data: unknown, schema: z.ZodType): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const got = valueAt(data, issue.path);
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const k of issue.keys) lines.push(`${keyPath([...issue.path, k])}: ${unknownKey(k, knownKeys(schema, issue.path))}`);
        break;
      case 'invalid_type': {
        const want = TYPE_NAMES[issue.expected] ?? issue.expected;
        lines.push(`${keyPath(issue.path)}: expected ${article(want)}, got ${describe(got)}`);
        break;
      }
      case 'invalid_value':
        lines.push(
          `${keyPath(issue.path)}: must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}; got ${describe(got)}`,
        );
        break;
      case 'too_small': {
        const min = Number(issue.minimum);
        let why: string;
        if (issue.origin === 'string') why = min <= 1 ? 'must not be empty' : `must be at least ${min} characters long`;
        else if (issue.origin === 'array') why = `must have at least ${min} entries`;
        else why = issue.inclusive ? `must be at least ${min}` : `must be greater than ${min}`;
        lines.push(`${keyPath(issue.path)}: ${why}; got ${describe(got)}`);
        break;
      }
      case 'too_big': {
        const max = Number(issue.maximum);
        let why: string;
        if (issue.origin === 'string') why = `must be at most ${max} characters long`;
        else if (issue.origin === 'array') why = `must have at most ${max} entries`;
        else why = issue.inclusive ? `must be at most ${max}` : `must be less than ${max}`;
        lines.push(`${keyPath(issue.path)}: ${why}; got ${describe(got)}`);
        break;
      }
      default:
        lines.push(`${keyPath(issue.path)}: ${issue.message}`);
    }
  }
  return lines;
}
