/**
 * Asking every node of a quorum the same question and deciding as soon as the answer is known: a call on a
 * stopped node must cost nothing once a majority has answered, and at most the per-node deadline otherwise.
 */

/** One node's answer: its value, or why it gave none (an error or a missed per-node deadline). */
export type Vote<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** The votes so far, one slot per node; `undefined` while the node has not answered. */
export type Tally<T> = readonly (Vote<T> | undefined)[];

/** The smallest number of nodes that is more than half of `nodes`. */
export function majorityOf(nodes: number): number {
  return Math.floor(nodes / 2) + 1;
}

/**
 * Starts `calls` (one per node, each already bounded by its own deadline) and resolves with the tally once
 * `decided(tally)` is true or every call has settled. Calls still running go on in the background; a value
 * one of them yields after the decision goes to `onDropped` (to undo or close it), never into the tally.
 */
export function gather<T>(
  calls: readonly (() => Promise<T>)[],
  decided: (tally: Tally<T>) => boolean,
  onDropped?: (index: number, value: T) => void,
): Promise<Tally<T>> {
  const tally: (Vote<T> | undefined)[] = calls.map(() => undefined);
  return new Promise((resolve) => {
    let pending = calls.length;
    let done = false;
    const record = (index: number, vote: Vote<T>): void => {
      if (done) {
        if (vote.ok) onDropped?.(index, vote.value);
        return;
      }
      tally[index] = vote;
      pending--;
      if (pending === 0 || decided(tally)) {
        done = true;
        resolve(tally.slice());
      }
    };
    if (pending === 0) resolve([]);
    calls.forEach((call, index) => {
      let started: Promise<T>;
      try {
        started = call();
      } catch (error) {
        started = Promise.reject(error);
      }
      started.then(
        (value) => record(index, { ok: true, value }),
        (error: unknown) => record(index, { ok: false, error }),
      );
    });
  });
}

/** Counts the votes that answered (`ok`) and, among them, those `accept` takes; and how many are pending. */
export function count<T>(tally: Tally<T>, accept: (value: T) => boolean): { answered: number; accepted: number; pending: number } {
  let answered = 0;
  let accepted = 0;
  let pending = 0;
  for (const vote of tally) {
    if (vote === undefined) pending++;
    else if (vote.ok) {
      answered++;
      if (accept(vote.value)) accepted++;
    }
  }
  return { answered, accepted, pending };
}

/**
 * True once the outcome of "does a majority accept?" cannot change, and neither can "did a majority
 * answer at all?" (the difference between a refusal and an outage).
 */
export function settledFor<T>(tally: Tally<T>, majority: number, accept: (value: T) => boolean): boolean {
  const { answered, accepted, pending } = count(tally, accept);
  if (accepted >= majority) return true;
  const acceptanceLost = accepted + pending < majority;
  const outageKnown = answered >= majority || answered + pending < majority;
  return acceptanceLost && outageKnown;
}
