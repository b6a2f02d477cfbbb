/**
 * The independent witness of the randomized safety test. Every client of the schedule tells it when a handle
 * starts and stops believing it holds a name; the witness never asks the library. All clients run in one Node
 * process, so the order in which it hears those events is the real order (one event loop), and:
 *
 * - **Interval.** A handle holds name N from the moment `get()`/`block()` resolved `true` (or its closure
 *   started, or a restored handle's `isOwnedByCurrentProcess()` answered `true`) until the moment `release()`
 *   is called (or the closure returned, or the schedule abandons the handle like a crashed job).
 * - **overlap.** Interval B on N begins while interval A on N is open, and A's lost-lock signal had not fired
 *   before B began. (A holder told in time that it lost the lock is not counted as an overlap; its loss itself
 *   is a `lost-while-held` violation, since the schedule's TTLs are far longer than its sections and no
 *   schedule step force-releases.) Each pair counts once.
 * - **lost-while-held.** An open interval whose lost-lock signal fired, whose `isOwnedByCurrentProcess()` at
 *   the end of the section answered `false`, whose first `release()` answered `false`, or whose key a sample
 *   read on another connection found holding something else while the interval was open both when the sample
 *   was sent and when its answer arrived. Counted once per interval.
 * - **misdirected.** A sample found a name's key holding an owner token that no handle ever used on that name
 *   (a grant meant for another name). Counted once per name and token.
 * - **fencing-regress.** A fenced acquisition's token is not greater than every token issued before on its name.
 * - **expiry-removed.** A lock taken with a TTL had no expiry after a restored handle's `refresh()` resolved.
 * - **hang / overdue / unhandled-rejection** are recorded by the schedule (see `randomized.ts`).
 */
import { performance } from 'node:perf_hooks';

export type ViolationKind =
  | 'overlap'
  | 'lost-while-held'
  | 'misdirected'
  | 'fencing-regress'
  | 'expiry-removed'
  | 'hang'
  | 'overdue'
  | 'unhandled-rejection';

export interface Violation {
  readonly kind: ViolationKind;
  readonly name: string;
  readonly detail: string;
  /** ms since the run started. */
  readonly at: number;
}

export interface Interval {
  readonly id: number;
  readonly name: string;
  readonly client: number;
  readonly owner: string;
  /** The operation that produced it (for the report), e.g. `c2#14 block-fn`. */
  readonly label: string;
  readonly start: number;
  end: number | undefined;
  lostAt: number | undefined;
  lostFlagged: boolean;
}

export class Witness {
  readonly violations: Violation[] = [];
  readonly #open = new Map<string, Set<Interval>>();
  readonly #tokensByName = new Map<string, Set<string>>();
  readonly #maxFence = new Map<string, number>();
  /** `name NUL token` pairs already reported as misdirected (a sample sees the same stray grant many times). */
  readonly #misdirected = new Set<string>();
  readonly #origin = performance.now();
  #ids = 0;
  intervals = 0;

  now(): number {
    return performance.now() - this.#origin;
  }

  /** An owner token is about to be used on `name` (before any store call with it). */
  uses(name: string, owner: string): void {
    let tokens = this.#tokensByName.get(name);
    if (!tokens) this.#tokensByName.set(name, (tokens = new Set()));
    tokens.add(owner);
  }

  begin(name: string, client: number, owner: string, label: string, fencingToken?: number): Interval {
    const at = this.now();
    let open = this.#open.get(name);
    if (!open) this.#open.set(name, (open = new Set()));
    for (const other of open) {
      if (other.lostAt !== undefined && other.lostAt <= at) continue;
      this.#report('overlap', name, `${label} (owner ${short(owner)}) began while ${other.label} (owner ${short(other.owner)}, since ${other.start.toFixed(1)} ms) held it`);
    }
    if (fencingToken !== undefined) {
      const max = this.#maxFence.get(name);
      if (max !== undefined && fencingToken <= max) {
        this.#report('fencing-regress', name, `${label} got fencing token ${fencingToken}, not above ${max}`);
      }
      this.#maxFence.set(name, Math.max(max ?? -Infinity, fencingToken));
    }
    const interval: Interval = { id: ++this.#ids, name, client, owner, label, start: at, end: undefined, lostAt: undefined, lostFlagged: false };
    open.add(interval);
    this.intervals++;
    return interval;
  }

  end(interval: Interval): void {
    if (interval.end !== undefined) return;
    interval.end = this.now();
    this.#open.get(interval.name)?.delete(interval);
  }

  /** The interval's lost-lock signal fired. */
  signalled(interval: Interval, reason: string): void {
    if (interval.end !== undefined) return;
    interval.lostAt ??= this.now();
    this.lostWhileHeld(interval, `its lost-lock signal fired: ${reason}`);
  }

  lostWhileHeld(interval: Interval, how: string): void {
    if (interval.lostFlagged) return;
    interval.lostFlagged = true;
    this.#report('lost-while-held', interval.name, `${interval.label} (owner ${short(interval.owner)}): ${how}`);
  }

  /** Open intervals right now (a sample compares them with what the store holds). */
  openIntervals(): Interval[] {
    return [...this.#open.values()].flatMap((set) => [...set]);
  }

  /**
   * A sample of `name`'s key: `value` read on an independent connection, sent while `openAtSend` were open.
   * Only intervals open both at send time and now are judged (see the module comment).
   */
  sampled(name: string, value: string | null, openAtSend: readonly Interval[]): void {
    for (const interval of openAtSend) {
      if (interval.name !== name || interval.end !== undefined || interval.lostAt !== undefined) continue;
      if (value !== interval.owner) {
        this.lostWhileHeld(interval, `a sample found the key holding ${value === null ? 'nothing' : short(value)}`);
      }
    }
    if (value !== null && !this.#tokensByName.get(name)?.has(value) && !this.#misdirected.has(`${name}\0${value}`)) {
      this.#misdirected.add(`${name}\0${value}`);
      this.#report('misdirected', name, `the key holds ${short(value)}, a token no handle ever used on this name`);
    }
  }

  record(kind: ViolationKind, name: string, detail: string): void {
    this.#report(kind, name, detail);
  }

  #report(kind: ViolationKind, name: string, detail: string): void {
    this.violations.push({ kind, name, detail, at: Math.round(this.now()) });
  }
}

function short(token: string): string {
  return token.length > 12 ? `${token.slice(0, 8)}…` : token;
}
