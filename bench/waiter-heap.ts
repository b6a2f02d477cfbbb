/**
 * Diagnostic companion of the waiters metric: what the heap of blocked waiters is made of.
 * `node --expose-gc --import tsx bench/waiter-heap.ts [--subject=locksmith] [--waiters=5000] [--top=30]`
 * starts its own redis-server, holds one key through one subject instance, takes a heap snapshot, starts N
 * acquires on the key, lets them settle, takes a second snapshot, and prints the difference grouped by object
 * type (constructor, closure name, string, array…): count and self size per waiter. Self sizes, not retained
 * sizes: each byte is counted once, under the object that holds it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { startRedis } from '../test/support/redis-server.js';
import { ensureBuilt } from './build.js';
import { runMain, sleep } from './stats.js';
import { SUBJECTS } from './subjects.js';

interface HeapSnapshot {
  snapshot: {
    meta: {
      node_fields: string[];
      node_types: [string[], ...unknown[]];
      edge_fields: string[];
      edge_types: [string[], ...unknown[]];
    };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string =>
  args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const subjectId = option('subject', 'locksmith');
const waiters = Number(option('waiters', '5000'));
const top = Number(option('top', '30'));
/** `--detail`: plain objects and contexts grouped by the names they hold, to tell them apart. */
const detail = args.includes('--detail');
/** `--who=number`: also counts what refers to the objects of that group (referrer type and edge name). */
const who = option('who', '');

/** Count and self size by group in one snapshot file. */
function tally(file: string): Map<string, { count: number; bytes: number }> {
  const heap = JSON.parse(readFileSync(file, 'utf8')) as HeapSnapshot;
  const fields = heap.snapshot.meta.node_fields;
  const types = heap.snapshot.meta.node_types[0];
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((field) => fields.indexOf(field)) as [number, number, number];
  const edgeCountAt = fields.indexOf('edge_count');
  const edgeWidth = heap.snapshot.meta.edge_fields.length;
  const edgeTypes = heap.snapshot.meta.edge_types[0];
  const groups = new Map<string, { count: number; bytes: number }>();
  const groupOf: string[] = [];
  let edge = 0;
  for (let i = 0; i < heap.nodes.length; i += width) {
    const type = types[heap.nodes[i + typeAt] ?? 0] ?? '?';
    const name = heap.strings[heap.nodes[i + nameAt] ?? 0] ?? '';
    const edges = heap.nodes[i + edgeCountAt] ?? 0;
    const names: string[] = [];
    for (let e = 0; e < edges; e++, edge += edgeWidth) {
      const edgeType = edgeTypes[heap.edges[edge] ?? 0];
      if (edgeType === 'property' || edgeType === 'context') names.push(heap.strings[heap.edges[edge + 1] ?? 0] ?? '');
    }
    const shape = detail && (name === 'Object' || name === 'system / Context' || type === 'code') ? ` {${names.filter((n) => n !== '__proto__').slice(0, 8).join(',')}}` : '';
    const group = type === 'object' || type === 'native' ? name + shape
      : type === 'closure' ? `closure ${name || '(anonymous)'}`
      : type === 'array' && detail && !name ? `array of ${heap.nodes[i + sizeAt] ?? 0} bytes`
      : type === 'array' || type === 'hidden' || type === 'object shape' ? `${type} ${name}`
      : type === 'code' ? `code ${name}${shape}`
      : type; // strings by kind, numbers…
    groupOf.push(group);
    const entry = groups.get(group) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += heap.nodes[i + sizeAt] ?? 0;
    groups.set(group, entry);
  }
  if (who) {
    const toAt = heap.snapshot.meta.edge_fields.indexOf('to_node');
    edge = 0;
    for (let n = 0; n < groupOf.length; n++) {
      const edges = heap.nodes[n * width + edgeCountAt] ?? 0;
      for (let e = 0; e < edges; e++, edge += edgeWidth) {
        const target = (heap.edges[edge + toAt] ?? 0) / width;
        if (groupOf[target] !== who) continue;
        const edgeType = edgeTypes[heap.edges[edge] ?? 0];
        const name = edgeType === 'element' || edgeType === 'hidden' ? `[${edgeType}]` : heap.strings[heap.edges[edge + 1] ?? 0];
        const key = `→ ${who} from ${groupOf[n]} .${name}`;
        const entry = groups.get(key) ?? { count: 0, bytes: 0 };
        entry.count++;
        groups.set(key, entry);
      }
    }
  }
  return groups;
}

async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc --import tsx');
  if (subjectId === 'locksmith' && process.env.LOCKSMITH_BENCH_SOURCE !== 'src') ensureBuilt();
  const factory = SUBJECTS[subjectId];
  if (!factory) throw new Error(`unknown subject ${subjectId}`);
  const server = await startRedis();
  const dir = mkdtempSync(join(tmpdir(), 'waiter-heap-'));
  try {
    const subject = await factory(server.url);
    const key = `bench:waiter-heap:${process.pid}`;
    if (!(await subject.acquire(key, 60_000, 1_000))) throw new Error('could not take a free lock');
    gc();
    const before = writeHeapSnapshot(join(dir, 'before.heapsnapshot'));
    const pending = Array.from({ length: waiters }, () => subject.acquire(key, 60_000, 30_000));
    await sleep(2_000);
    // As the waiters metric does: read once the heap stops shrinking (waiters still in flight weigh more).
    for (let check = 0, last = Infinity; check < 10; check++) {
      gc();
      const used = process.memoryUsage().heapUsed;
      if (used > last * 0.99) break;
      last = used;
      await sleep(250);
    }
    gc();
    const after = writeHeapSnapshot(join(dir, 'after.heapsnapshot'));
    const [a, b] = [tally(before), tally(after)];
    const rows = [...b]
      .map(([group, { count, bytes }]) => ({
        group,
        count: (count - (a.get(group)?.count ?? 0)) / waiters,
        bytes: (bytes - (a.get(group)?.bytes ?? 0)) / waiters,
      }))
      .sort((x, y) => y.bytes - x.bytes);
    const total = rows.reduce((sum, row) => sum + row.bytes, 0);
    process.stdout.write(`${subjectId}, ${waiters} waiters: ${total.toFixed(0)} bytes per waiter (self sizes)\n`);
    process.stdout.write('| per waiter: bytes | count | object type |\n| ---: | ---: | --- |\n');
    for (const row of rows.slice(0, top)) {
      process.stdout.write(`| ${row.bytes.toFixed(1)} | ${row.count.toFixed(2)} | ${row.group} |\n`);
    }
    void pending;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await server.stop();
  }
}

runMain(main);
