/**
 * The vote arithmetic of QuorumStore (pure functions, no Redis): when a tally is decided, and that answers
 * arriving after the decision are handed back for clean-up instead of being lost.
 */
import { describe, expect, it } from 'vitest';
import { count, gather, majorityOf, settledFor, type Tally } from '../../src/stores/redis-quorum-votes.js';

const yes = { ok: true as const, value: true };
const no = { ok: true as const, value: false };
const down = { ok: false as const, error: new Error('down') };
const accept = (value: boolean): boolean => value;

describe('quorum votes', () => {
  it('needs more than half of the nodes', () => {
    expect([3, 4, 5, 6, 7].map(majorityOf)).toEqual([2, 3, 3, 4, 4]);
  });

  it.each<[string, Tally<boolean>, boolean]>([
    ['a majority granted, the rest pending', [yes, yes, yes, undefined, undefined], true],
    ['a refusal majority: cannot be granted, and enough answered', [no, no, no, undefined, undefined], true],
    ['refusals and outages: cannot be granted, but an outage is still possible', [no, no, down, undefined, undefined], false],
    ['too many down to ever answer as a majority', [down, down, down, undefined, undefined], true],
    ['a split still open', [yes, yes, no, undefined, undefined], false],
    ['a split that can no longer win, with a majority answered', [yes, no, no, down, undefined], true],
    ['lost, but refusal or outage still depends on the last node', [yes, no, down, down, undefined], false],
    ['the same, once the last node refused', [yes, no, down, down, no], true],
  ])('%s', (_what, tally, decided) => {
    expect(settledFor(tally, 3, accept)).toBe(decided);
  });

  it('counts answers, acceptances and pending nodes', () => {
    expect(count([yes, no, down, undefined, yes], accept)).toEqual({ answered: 3, accepted: 2, pending: 1 });
  });

  it('resolves as soon as decided and hands later answers to onDropped', async () => {
    const dropped: [number, boolean][] = [];
    let releaseSlow: (value: boolean) => void = () => undefined;
    const slow = new Promise<boolean>((resolve) => (releaseSlow = resolve));
    const tally = await gather(
      [async () => true, async () => true, () => slow, async () => true],
      (votes) => settledFor(votes, 3, accept),
      (index, value) => dropped.push([index, value]),
    );
    expect(tally[2]).toBeUndefined();
    expect(count(tally, accept).accepted).toBe(3);
    releaseSlow(true);
    await slow;
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(dropped).toEqual([[2, true]]);
  });

  it('turns a synchronous throw into a failed vote', async () => {
    const tally = await gather<boolean>(
      [
        () => {
          throw new Error('sync');
        },
        async () => true,
      ],
      () => false,
    );
    expect(tally[0]).toMatchObject({ ok: false });
    expect(tally[1]).toEqual({ ok: true, value: true });
  });
});
