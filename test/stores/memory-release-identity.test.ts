/**
 * MemoryStore records each hold's identity too: a handle's late or repeated release or refresh acts only on
 * its own hold, never on a later hold of the same owner token; a restored handle acts on whoever holds it.
 */
import { describe, expect, it } from 'vitest';
import { createLocks, MemoryStore } from 'locksmith-js';

describe('MemoryStore: release and refresh act on the hold that issued them', () => {
  it("a handle's second release() or refresh() does not touch a later hold of the same owner token", async () => {
    const store = new MemoryStore();
    const locks = createLocks({ store });
    const first = locks.lock('job', 30, { owner: 'job-7' });
    const retry = locks.lock('job', 30, { owner: 'job-7' });
    expect(await first.get()).toBe(true);
    expect(await first.release()).toBe(true);
    expect(await retry.get()).toBe(true);
    expect(await first.release()).toBe(false);
    expect(await first.refresh()).toBe(false);
    expect(await store.currentOwner('job')).toBe('job-7');
    expect(await retry.refresh()).toBe(true);
    // A restored handle is "whoever holds that token".
    expect(await locks.restoreLock('job', 'job-7').release()).toBe(true);
    expect(await retry.release()).toBe(false);
    await store.close();
  });

  it('a store call with a stale hold fails; without one it acts by token', async () => {
    const store = new MemoryStore();
    const a = await store.acquire({ key: 'k', owner: 't', ttlMs: 30_000, fencing: false });
    expect(a.acquired && a.hold).toBeTruthy();
    expect(await store.release('k', 't', a.acquired ? a.hold : undefined)).toBe(true);
    const b = await store.acquire({ key: 'k', owner: 't', ttlMs: 30_000, fencing: true });
    expect(b.acquired).toBe(true);
    const staleHold = a.acquired ? a.hold : undefined;
    expect(await store.refresh('k', 't', 60_000, staleHold)).toBe(false);
    expect(await store.remainingLease('k', 't', staleHold)).toBeNull();
    expect(await store.release('k', 't', staleHold)).toBe(false);
    expect(await store.remainingLease('k', 't')).toBeGreaterThan(0);
    expect(await store.release('k', 't')).toBe(true);
    await store.close();
  });
});
