/**
 * Many deadlines under one Node timer: a binary min-heap of items by due time, and one `setTimeout` for the
 * earliest. Thousands of waiters blocked on one key each need a timeout; a Node `Timeout` object per waiter
 * would be a large share of its memory, a heap slot is one array element.
 */
import { performance } from 'node:perf_hooks';

const MAX_TIMER_MS = 2_147_483_647;

/** An item the queue can hold: its fields are the queue's bookkeeping, read and written only by it. */
export interface Timed {
  /** `performance.now()` time at which the item is due (set by `schedule`). */
  due: number;
  /** The item's index in the heap, `-1` when it is not queued. */
  slot: number;
}

export class TimerQueue<T extends Timed> {
  readonly #heap: T[] = [];
  #timer: NodeJS.Timeout | undefined;
  /** When the pending timer fires (`Infinity`: none pending). */
  #timerDue = Number.POSITIVE_INFINITY;
  /** Queued items that keep the process alive (see `keepsAlive`). */
  #alive = 0;

  constructor(
    /** Called once for each item that came due, after it left the queue. */
    private readonly onDue: (item: T) => void,
    /**
     * Whether a queued item keeps the process alive (must not change while it is queued): the timer is
     * `unref()`ed while none does.
     */
    private readonly keepsAlive: (item: T) => boolean,
  ) {}

  /**
   * Queues `item` to be due at `due` (`performance.now()` time), or moves it there if it is queued. Due times
   * are kept in whole ms, rounded up: a Node timer's resolution, and a small integer is stored unboxed.
   */
  schedule(item: T, at: number): void {
    const due = Math.ceil(at);
    if (item.slot < 0) {
      item.slot = this.#heap.length;
      this.#heap.push(item);
      if (this.keepsAlive(item)) this.#alive++;
      item.due = due;
      this.#up(item.slot);
    } else {
      const earlier = due < item.due;
      item.due = due;
      if (earlier) this.#up(item.slot);
      else this.#down(item.slot);
    }
    this.#arm();
  }

  /** Takes `item` out of the queue, if it is queued. */
  cancel(item: T): void {
    const slot = item.slot;
    if (slot < 0) return;
    item.slot = -1;
    if (this.keepsAlive(item)) this.#alive--;
    const last = this.#heap.pop() as T;
    if (slot < this.#heap.length) {
      this.#place(last, slot);
      this.#up(slot);
      this.#down(last.slot);
    }
    // A timer set for an earlier item stays: it finds nothing due and re-arms for the next one.
    if (this.#heap.length === 0) this.#stop();
    else this.#ref();
  }

  #fire = (): void => {
    this.#timer = undefined;
    this.#timerDue = Number.POSITIVE_INFINITY;
    const now = performance.now();
    for (let first = this.#heap[0]; first && first.due <= now; first = this.#heap[0]) {
      this.cancel(first);
      this.onDue(first);
    }
    this.#arm();
  };

  /** Sets the timer for the earliest item, unless one is set for that time or earlier. */
  #arm(): void {
    const first = this.#heap[0];
    if (!first) {
      this.#stop();
      return;
    }
    if (this.#timer && this.#timerDue <= first.due) {
      this.#ref();
      return;
    }
    clearTimeout(this.#timer);
    // Node timers have a 1 ms resolution and may fire a fraction early: a timer that finds nothing due yet
    // re-arms for what is left. Beyond 2^31-1 ms Node would fire after 1 ms: a long wait takes several rounds.
    const ms = Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil(first.due - performance.now())));
    this.#timer = setTimeout(this.#fire, ms);
    this.#timerDue = first.due;
    this.#ref();
  }

  #ref(): void {
    if (!this.#timer) return;
    if (this.#alive > 0) this.#timer.ref();
    else this.#timer.unref();
  }

  #stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerDue = Number.POSITIVE_INFINITY;
  }

  #up(slot: number): void {
    const heap = this.#heap;
    const item = heap[slot] as T;
    while (slot > 0) {
      const parentSlot = (slot - 1) >> 1;
      const parent = heap[parentSlot] as T;
      if (parent.due <= item.due) break;
      this.#place(parent, slot);
      slot = parentSlot;
    }
    this.#place(item, slot);
  }

  #down(slot: number): void {
    const heap = this.#heap;
    const item = heap[slot] as T;
    const length = heap.length;
    for (;;) {
      let child = 2 * slot + 1;
      if (child >= length) break;
      const right = child + 1;
      if (right < length && (heap[right] as T).due < (heap[child] as T).due) child = right;
      const smaller = heap[child] as T;
      if (item.due <= smaller.due) break;
      this.#place(smaller, slot);
      slot = child;
    }
    this.#place(item, slot);
  }

  #place(item: T, slot: number): void {
    this.#heap[slot] = item;
    item.slot = slot;
  }
}
