/**
 * MemoryStore's fencing counter (issue 9, item 8): it kept one counter per distinct name forever (~69 B a
 * name, ~66 MiB per million names such as `process:package:{id}` on the process-wide default store). Tokens
 * now come from one store-wide counter: still strictly increasing on every name, and a name nobody holds
 * leaves nothing behind.
 */
import { describe, expect, it } from 'vitest';
import { createLocks, MemoryStore } from 'locksmith-js';

describe('MemoryStore fencing tokens without per-name state', () => {
  it('a million distinct fenced names leave no state behind', async () => {
    const store = new MemoryStore();
    for (let n = 0; n < 1_000_000; n++) {
      const key = `process:package:${n}`;
      const result = await store.acquire({ key, owner: 'worker', ttlMs: 0, fencing: true });
      if (!result.acquired || typeof result.fencingToken !== 'number') throw new Error(`name ${n}: ${JSON.stringify(result)}`);
      if (!(await store.release(key, 'worker'))) throw new Error(`name ${n} was not released`);
    }
    expect(store.trackedKeys).toBe(0);
    await store.close();
  });

  it('tracks only the names in use: held locks and waiters, gone once released', async () => {
    const store = new MemoryStore();
    const locks = createLocks({ store });
    const held = await Promise.all(
      Array.from({ length: 100 }, async (_, n) => {
        const lock = locks.lock(`sync:facility:${n}`, 30, { fencing: true });
        expect(await lock.get()).toBe(true);
        return lock;
      }),
    );
    expect(store.trackedKeys).toBe(100);
    const waiting = locks.lock('sync:facility:0', 30).block(5);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(store.trackedKeys).toBe(102); // the waiter's subscription and its queue entry
    await Promise.all(held.map((lock) => lock.release()));
    await waiting;
    await locks.lock('sync:facility:0').forceRelease();
    expect(store.trackedKeys).toBe(0);
    await store.close();
  });

  it('tokens of one name strictly increase across holders while other names take tokens in between', async () => {
    const locks = createLocks({ store: new MemoryStore() });
    const seen = new Map<string, number[]>();
    for (let round = 0; round < 50; round++) {
      for (const name of ['a:b:1', 'a:b:2', 'a:b:3']) {
        const lock = locks.lock(name, 10, { fencing: true });
        expect(await lock.get()).toBe(true);
        seen.set(name, [...(seen.get(name) ?? []), lock.fencingToken as number]);
        expect(await lock.release()).toBe(true);
      }
    }
    for (const tokens of seen.values()) {
      for (let i = 1; i < tokens.length; i++) expect(tokens[i]).toBeGreaterThan(tokens[i - 1] as number);
    }
  });
});
