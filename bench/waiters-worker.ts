/**
 * Child process of the waiters metric (fresh heap, run with --expose-gc): holds one key and starts `waiters`
 * acquires on it through ONE subject instance, lets them settle, then reports the heap they use, the Redis
 * connections open for them and the commands per second Redis executes while they are all blocked. It exits
 * without draining the waiters: the process is the clean-up.
 */
import { commandDelta, commandStats, connectionCount, formatCounts, totalCalls } from './redis-stats.js';
import { connect } from './redis-client.js';
import { SUBJECTS } from './subjects.js';

export interface WaitersOrder {
  readonly subject: string;
  readonly url: string;
  readonly waiters: number;
  readonly settleMs: number;
  readonly windowMs: number;
}

export interface WaitersReport {
  readonly waiters: number;
  readonly heapBytesPerWaiter: number;
  readonly heapDeltaBytes: number;
  readonly connections: number;
  readonly commandsPerSecond: number;
  /** Commands per second by command (commandstats, Lua-internal included). */
  readonly breakdown: string;
  /** Waiters that had already given up when the window closed (they stop costing anything). */
  readonly gaveUp: number;
}

const gc = (globalThis as { gc?: () => void }).gc ?? ((): void => undefined);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

async function run(order: WaitersOrder): Promise<WaitersReport> {
  const factory = SUBJECTS[order.subject];
  if (!factory) throw new Error(`unknown subject ${order.subject}`);
  const admin = await connect(order.url, 'bench-admin');
  const subject = await factory(order.url);
  // A key of its own per run: a previous run's child exits still holding its key (and, for some subjects, queue state).
  const key = `bench:waiters:${order.subject}:${order.waiters}:${process.pid}`;
  await admin.del(key);
  const held = await subject.acquire(key, 60_000, 1_000);
  if (!held) throw new Error(`${order.subject}: could not take a free lock`);
  let gaveUp = 0;
  const baseline = heapUsed();
  const pending = Array.from({ length: order.waiters }, () =>
    subject.acquire(key, 60_000, 30_000).then((got) => {
      if (!got) gaveUp++;
    }),
  );
  await sleep(order.settleMs);
  // Waiters still on their way in (attempts in flight on a loaded machine) weigh more than blocked ones: read
  // the heap once it stops shrinking (at most 10 more checks), so the figure is what a blocked waiter keeps.
  let heapDelta = heapUsed() - baseline;
  for (let check = 0; check < 10; check++) {
    await sleep(250);
    const next = heapUsed() - baseline;
    const settled = next > heapDelta * 0.99;
    heapDelta = next;
    if (settled) break;
  }
  const connections = (await connectionCount(admin)) - (await connectionCount(admin, 'bench-admin'));
  const before = await commandStats(admin);
  const start = performance.now();
  await sleep(order.windowMs);
  const delta = commandDelta(before, await commandStats(admin));
  const commands = totalCalls(delta);
  const seconds = (performance.now() - start) / 1000;
  void pending;
  return {
    waiters: order.waiters,
    heapBytesPerWaiter: heapDelta / order.waiters,
    heapDeltaBytes: heapDelta,
    connections,
    commandsPerSecond: commands / seconds,
    breakdown: formatCounts(delta, seconds),
    gaveUp,
  };
}

const order = JSON.parse(process.argv[2] ?? '{}') as WaitersOrder;
run(order).then(
  (report) => process.send?.({ ok: true, report }, () => process.exit(0)),
  (error: unknown) => process.send?.({ ok: false, error: String(error) }, () => process.exit(1)),
);
