/**
 * What a handoff costs Redis: `waiters` callers on one subject instance (one process, one store) queue on one
 * key and pass it along `handoffs` times, holding it ~1 ms each. Counted between the first release and the
 * last acquisition: client requests (round trips, from MONITOR) and executed commands (INFO commandstats,
 * which includes the commands a Lua script runs), both per handoff.
 */
import type { Redis } from 'ioredis';
import { RedisMonitor } from '../../test/support/redis-monitor.js';
import { commandDelta, commandStats, formatCounts, totalCalls } from '../redis-stats.js';
import { sleep } from '../stats.js';
import type { LockSubject } from '../subject.js';

export interface HandoffCostResult {
  readonly waiters: number;
  readonly handoffs: number;
  readonly requestsPerHandoff: number;
  readonly commandsPerHandoff: number;
  /** Requests per handoff by command, e.g. `evalsha:1 set:1`. */
  readonly breakdown: string;
  readonly gaveUp: number;
}

export async function measureHandoffCost(
  admin: Redis,
  port: number,
  first: LockSubject,
  waitersSubject: LockSubject,
  waiters: number,
  handoffs: number,
): Promise<HandoffCostResult> {
  const key = `bench:handoff-cost:${first.id}`;
  const initial = await first.acquire(key, 10_000, 1_000);
  if (!initial) throw new Error(`${first.id}: could not take a free lock`);
  let acquisitions = 0;
  let gaveUp = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  let after: Promise<Map<string, number>> | undefined;
  const counter = await RedisMonitor.start(port);

  const waiter = async (): Promise<void> => {
    while (acquisitions < handoffs) {
      const held = await waitersSubject.acquire(key, 10_000, 10_000);
      if (!held) {
        gaveUp++;
        continue;
      }
      acquisitions++;
      if (acquisitions === handoffs) {
        after = commandStats(admin);
        done();
      }
      await sleep(1);
      await held.release();
    }
  };
  const running = Array.from({ length: waiters }, () => waiter());
  await sleep(300); // every waiter has made its first attempt and is blocked
  const before = await commandStats(admin);
  counter.reset();
  await initial.release();
  await finished;
  const requests = new Map(Object.entries(counter.snapshot().byCommand));
  const commands = commandDelta(before, await (after ?? commandStats(admin)));
  counter.stop();
  await Promise.all(running);
  return {
    waiters,
    handoffs,
    requestsPerHandoff: totalCalls(requests) / handoffs,
    commandsPerHandoff: totalCalls(commands) / handoffs,
    breakdown: formatCounts(requests, handoffs),
    gaveUp,
  };
}
