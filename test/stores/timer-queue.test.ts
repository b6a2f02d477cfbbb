/**
 * TimerQueue: many deadlines under one Node timer (RedisStore's waiters' timeouts). Every queued item fires
 * once, never before it is due, in due order; a cancelled item never fires; a moved item fires at its new time.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { TimerQueue, type Timed } from '../../src/stores/timer-queue.js';

interface Item extends Timed {
  readonly name: number;
  firedAt?: number;
}

const item = (name: number): Item => ({ name, due: 0, slot: -1 });

function queue(fired: Item[]): TimerQueue<Item> {
  return new TimerQueue<Item>(
    (it) => {
      it.firedAt = performance.now();
      fired.push(it);
    },
    () => false,
  );
}

describe('TimerQueue', () => {
  it('fires each item once, not before it is due, in due order', async () => {
    const fired: Item[] = [];
    const timers = queue(fired);
    const now = performance.now();
    const items = [40, 5, 25, 5, 60, 15].map((ms, i) => {
      const it = item(i);
      timers.schedule(it, now + ms);
      return it;
    });
    await sleep(120);
    expect(fired.map((it) => it.name).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    for (const it of items) expect(it.firedAt).toBeGreaterThanOrEqual(it.due);
    const dues = fired.map((it) => it.due);
    expect(dues).toEqual([...dues].sort((a, b) => a - b));
    expect(items.every((it) => it.slot === -1)).toBe(true);
  });

  it('never fires a cancelled item, and fires a moved one at its new time', async () => {
    const fired: Item[] = [];
    const timers = queue(fired);
    const now = performance.now();
    const [early, cancelled, later, sooner] = [item(0), item(1), item(2), item(3)];
    timers.schedule(early, now + 10);
    timers.schedule(cancelled, now + 5); // the timer is armed for it, then it leaves
    timers.schedule(later, now + 20);
    timers.schedule(sooner, now + 80);
    timers.cancel(cancelled);
    timers.cancel(cancelled); // idempotent
    timers.schedule(later, now + 60); // moved later
    timers.schedule(sooner, now + 1); // moved earlier
    await sleep(100);
    expect(fired.map((it) => it.name)).toEqual([3, 0, 2]);
    expect(later.firedAt).toBeGreaterThanOrEqual(now + 60);
    expect(cancelled.firedAt).toBeUndefined();
  });

  it('keeps heap order through random schedules, moves and cancels', async () => {
    const fired: Item[] = [];
    const timers = queue(fired);
    const now = performance.now();
    const items = Array.from({ length: 300 }, (_, i) => item(i));
    const cancelled = new Set<Item>();
    for (const it of items) timers.schedule(it, now + 5 + Math.random() * 60);
    for (const it of items) {
      const roll = Math.random();
      if (roll < 0.3) {
        timers.cancel(it);
        cancelled.add(it);
      } else if (roll < 0.6) {
        timers.schedule(it, now + 5 + Math.random() * 60);
      }
    }
    // Some come back after a cancel.
    for (const it of [...cancelled].slice(0, 20)) {
      timers.schedule(it, now + 5 + Math.random() * 60);
      cancelled.delete(it);
    }
    await sleep(150);
    expect(new Set(fired).size).toBe(fired.length);
    expect(fired.length).toBe(items.length - cancelled.size);
    for (const it of fired) {
      expect(cancelled.has(it)).toBe(false);
      expect(it.firedAt).toBeGreaterThanOrEqual(it.due);
    }
    const dues = fired.map((it) => it.due);
    expect(dues).toEqual([...dues].sort((a, b) => a - b));
  });

  it('lets an item scheduled from onDue fire too', async () => {
    const fired: number[] = [];
    const again = item(1);
    const timers: TimerQueue<Item> = new TimerQueue<Item>(
      (it) => {
        fired.push(it.name);
        if (it.name === 0) timers.schedule(again, performance.now() + 5);
      },
      () => true,
    );
    timers.schedule(item(0), performance.now() + 5);
    await sleep(60);
    expect(fired).toEqual([0, 1]);
  });
});
