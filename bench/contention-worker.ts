/**
 * One of the OS processes of the contention metric. It waits for run orders over IPC; for each it builds the
 * named subject, then loops until the deadline: acquire the shared key (the subject's own waiting), do a
 * non-atomic read-modify-write of a counter (GET, then SET value + 1, two round trips), release. It reports
 * how often it got the lock and how often it gave up; the parent compares the counter with the sum.
 */
import { connect } from './redis-client.js';
import { SUBJECTS } from './subjects.js';

export interface ContentionOrder {
  readonly subject: string;
  readonly url: string;
  readonly key: string;
  readonly counterKey: string;
  /** Epoch ms at which every process starts, so they begin together. */
  readonly startAt: number;
  readonly durationMs: number;
}

export interface ContentionReport {
  readonly acquired: number;
  readonly gaveUp: number;
  /** Epoch ms at which this process finished its last cycle. */
  readonly finishedAt: number;
  /** CPU time (user + system) this process spent in the loop, in µs: the lock's client-side cost and waiting. */
  readonly cpuUs: number;
}

async function run(order: ContentionOrder): Promise<ContentionReport> {
  const factory = SUBJECTS[order.subject];
  if (!factory) throw new Error(`unknown subject ${order.subject}`);
  const subject = await factory(order.url);
  const data = await connect(order.url, 'bench-data');
  let acquired = 0;
  let gaveUp = 0;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, order.startAt - Date.now())));
  const end = order.startAt + order.durationMs;
  const cpuBefore = process.cpuUsage();
  while (Date.now() < end) {
    const held = await subject.acquire(order.key, 10_000, 10_000);
    if (!held) {
      gaveUp++;
      continue;
    }
    const value = Number((await data.get(order.counterKey)) ?? 0);
    await data.set(order.counterKey, String(value + 1));
    acquired++;
    await held.release();
  }
  const finishedAt = Date.now();
  const cpu = process.cpuUsage(cpuBefore);
  await subject.close();
  data.disconnect();
  return { acquired, gaveUp, finishedAt, cpuUs: cpu.user + cpu.system };
}

process.on('message', (order: ContentionOrder) => {
  run(order).then(
    (report) => process.send?.({ ok: true, report }),
    (error: unknown) => process.send?.({ ok: false, error: String(error) }),
  );
});
process.send?.({ ready: true });
