// No runtime import circle under firmware/. In a circle, whichever module is loaded first sees
// the others half-initialised: a `const` or class read at module level throws (temporal dead
// zone) or, worse, a value is quietly undefined, and which one depends on the entry point, so a
// worker thread can fail where the daemon does not. Edges are the imports that load a module at
// runtime (test/support/import-walk.ts): `import type` / `export type` are erased and do not
// count. `import { type A }` whose names are all types does count: it binds nothing, but it still
// loads its module, and that changes the order the circle's modules run in (entered from the
// other side, the module that does read a value runs first). Write `import type` instead.
// Dynamic import() does not count: it runs after every module it could reach has finished loading.
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importsOf, modulesUnder } from '../support/import-walk.ts';

const FIRMWARE = fileURLToPath(new URL('../../firmware/', import.meta.url));

type Graph = Map<string, string[]>;

/** module -> the modules under `root` it loads at runtime, as paths relative to `root`. */
function runtimeGraph(root: string): Graph {
  const graph: Graph = new Map();
  for (const file of modulesUnder(root)) {
    const targets = importsOf(file).static
      .filter((i) => i.file !== undefined)
      .map((i) => relative(root, i.file!));
    graph.set(relative(root, file), [...new Set(targets)].sort());
  }
  return graph;
}

/**
 * One circle per strongly connected component of more than one module (or a module importing
 * itself), each written `a -> b -> … -> a` starting from its alphabetically first module.
 */
function cycles(graph: Graph): string[] {
  // Tarjan's algorithm, iterative so a long chain of modules cannot overflow the stack.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let next = 0;
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work: { node: string; edge: number }[] = [{ node: start, edge: 0 }];
    index.set(start, next); low.set(start, next); next++;
    stack.push(start); onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const edges = graph.get(frame.node) ?? [];
      if (frame.edge < edges.length) {
        const to = edges[frame.edge++]!;
        if (!index.has(to)) {
          index.set(to, next); low.set(to, next); next++;
          stack.push(to); onStack.add(to);
          work.push({ node: to, edge: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        if (component.length > 1 || (graph.get(frame.node) ?? []).includes(frame.node)) components.push(component.sort());
      }
    }
  }
  return components.map((component) => circleThrough(graph, component)).sort();
}

/** A shortest circle from the component's first module back to itself, inside the component. */
function circleThrough(graph: Graph, component: string[]): string {
  const inside = new Set(component);
  const first = component[0]!;
  const cameFrom = new Map<string, string>();
  const queue = [first];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const to of graph.get(node) ?? []) {
      if (!inside.has(to)) continue;
      if (to === first) {
        const path = [first];
        for (let at: string | undefined = node; at !== undefined && at !== first; at = cameFrom.get(at)) path.unshift(at);
        path.unshift(first);
        return path.join(' -> ');
      }
      if (!cameFrom.has(to)) {
        cameFrom.set(to, node);
        queue.push(to);
      }
    }
  }
  return component.join(', ');
}

describe('the firmware module graph', () => {
  it('has no runtime import circle', () => {
    const graph = runtimeGraph(FIRMWARE);
    expect(graph.size).toBeGreaterThan(100);
    expect(cycles(graph)).toEqual([]);
  });

  it('finds a circle and names it, so the check above can fail', () => {
    const graph: Graph = new Map([
      ['a.ts', ['b.ts']], ['b.ts', ['c.ts', 'd.ts']], ['c.ts', ['a.ts']], ['d.ts', []],
      ['e.ts', ['e.ts']], ['f.ts', ['g.ts']], ['g.ts', ['f.ts', 'a.ts']],
    ]);
    expect(cycles(graph)).toEqual(['a.ts -> b.ts -> c.ts -> a.ts', 'e.ts -> e.ts', 'f.ts -> g.ts -> f.ts']);
    expect(cycles(new Map([['a.ts', ['b.ts']], ['b.ts', []]]))).toEqual([]);
  });
});
