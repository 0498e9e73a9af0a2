/**
 * No import circles between folders (the team's rule; issue 11 named src/imap and src/pop3):
 * when a file of folder A imports one of folder B, no file of B (or of a folder B reaches)
 * imports back into A. Read from the sources' relative imports, type-only ones included;
 * circles are the strongly connected groups of the folder graph.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

let root = dirname(fileURLToPath(import.meta.url));
while (!existsSync(join(root, 'package.json'))) root = dirname(root);
const src = join(root, 'src');

function folderGraph(): Map<string, Map<string, string>> {
  const edges = new Map<string, Map<string, string>>();
  const walk = (dir: string): void => {
    for (const n of readdirSync(dir)) {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) {
        const from = relative(src, dir) || '.';
        for (const m of readFileSync(p, 'utf8').matchAll(/(?:\bfrom|\bimport)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
          const to = relative(src, dirname(resolve(dir, m[1]!))) || '.';
          if (to === from || to.startsWith('..')) continue;
          if (!edges.has(from)) edges.set(from, new Map());
          if (!edges.get(from)!.has(to)) edges.get(from)!.set(to, `${relative(root, p)} imports ${m[1]}`);
        }
      }
    }
  };
  walk(src);
  return edges;
}

/** strongly connected folders (Tarjan): every group of two or more is a circle */
function circles(edges: Map<string, Map<string, string>>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) out.push(group.sort());
    }
  };
  for (const v of edges.keys()) if (!idx.has(v)) visit(v);
  return out;
}

test('no folder of src/ is in an import circle', () => {
  const edges = folderGraph();
  assert.deepEqual(circles(edges), []);
  // the test sees the edges it must: servers importing their command tables, web its pages
  assert.ok(edges.get('pop3')?.has('pop3/commands'), 'pop3/server.ts imports the command table');
  assert.ok(edges.get('managesieve')?.has('managesieve/commands'), 'managesieve/server.ts imports the command table');
  assert.ok(edges.get('web')?.has('web/pages'), 'web/features.ts imports the pages');
  assert.ok(edges.get('sieve')?.has('sieve/ext'), 'the Sieve registry imports the extensions');
});

test('the circle finder finds a circle between two folders and one through three', () => {
  const g = new Map<string, Map<string, string>>([
    ['a', new Map([['b', '']])],
    ['b', new Map([['a', ''], ['c', '']])],
    ['c', new Map([['d', '']])],
    ['d', new Map([['e', '']])],
    ['e', new Map([['c', '']])],
  ]);
  assert.deepEqual(circles(g).map((x) => x.join(' ')).sort(), ['a b', 'c d e']);
});
