/**
 * Many waiters on one key through one subject instance, in a child process of its own (see
 * `waiters-worker.ts`): heap per waiter, Redis connections, and commands per second while they are blocked.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { WaitersOrder, WaitersReport } from '../waiters-worker.js';

export type WaitersResult = WaitersReport;

export function measureWaiters(order: WaitersOrder): Promise<WaitersResult> {
  const script = fileURLToPath(new URL('../waiters-worker.ts', import.meta.url));
  const child = fork(script, [JSON.stringify(order)], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`waiters worker for ${order.subject} did not report in time`));
    }, order.settleMs + order.windowMs + 60_000);
    child.once('message', (message: { ok: true; report: WaitersReport } | { ok: false; error: string }) => {
      clearTimeout(timer);
      if (message.ok) resolve(message.report);
      else reject(new Error(message.error));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`waiters worker for ${order.subject} exited (${code}) without a report`));
    });
  });
}
