import { expect } from 'vitest';
import type { LockManager } from 'locksmith-js';

/**
 * A lock's basic behaviour on a topology: a holder, a contender refused, and a waiter woken by the holder's
 * release. Run it with a long re-check ceiling so that a prompt wake-up proves the release announcement.
 */
export async function exerciseLock(locks: LockManager, name: string): Promise<void> {
  const holder = locks.lock(name, 0);
  expect(await holder.get()).toBe(true);
  expect(await locks.lock(name, 10).get()).toBe(false);
  const waiter = locks.lock(name, 10);
  const waiting = waiter.block(30);
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(await holder.release()).toBe(true);
  await expect(waiting).resolves.toBe(true);
  expect(await waiter.release()).toBe(true);
}
