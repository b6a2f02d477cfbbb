/**
 * Every store call has a deadline: a store that never answers, fails, or answers too late turns into a
 * LockStoreError (with the store's error as cause), and no promise hangs or rejects unhandled.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocks, LockStoreError, type AcquireRequest } from 'locksmith-js';
import { hangingStore, SwitchStore } from './doubles.js';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

/** Settles `promise` and reports how, with a generous bound proving it does not hang. */
async function outcome(promise: Promise<unknown>, boundMs = 10_000): Promise<unknown> {
  const hang = Symbol('hang');
  const bound = sleep(boundMs, hang, { ref: false });
  const result = await Promise.race([promise.then(() => 'resolved', (error: unknown) => error), bound]);
  if (result === hang) throw new Error(`did not settle within ${boundMs} ms`);
  return result;
}

describe('a store that never answers', () => {
  const store = hangingStore();
  const locks = createLocks({ store, timeout: '150ms', onError: () => undefined });
  const lock = locks.lock('sync:facility:1', 30);

  it.each([
    ['get()', 'acquire', () => lock.get()],
    ['get(fn)', 'acquire', () => lock.get(() => 1)],
    ['release()', 'release', () => lock.release()],
    ['forceRelease()', 'forceRelease', () => lock.forceRelease()],
    ['refresh()', 'refresh', () => lock.refresh()],
    ['isLocked()', 'currentOwner', () => lock.isLocked()],
    ['isOwnedByCurrentProcess()', 'currentOwner', () => lock.isOwnedByCurrentProcess()],
    ['block(0)', 'acquire', () => lock.block(0)],
    ['block(5)', 'acquire', () => lock.block(5)],
  ])('%s rejects with a LockStoreError naming %s and the lock', async (_, operation, call) => {
    const error = await outcome(call());
    expect(error).toBeInstanceOf(LockStoreError);
    expect(error).toMatchObject({ operation, lockName: 'sync:facility:1' });
    expect((error as Error).message).toMatch(/did not answer within 0\.15s/);
  });

  it('records the calls it received', () => {
    expect(store.calls).toContain('acquire');
  });
});

describe('store failures', () => {
  it('wraps a rejection, keeping the store error as cause', async () => {
    const store = new SwitchStore();
    const cause = new Error('ECONNREFUSED 127.0.0.1:1');
    store.override.set('acquire', () => Promise.reject(cause));
    const locks = createLocks({ store });
    const error = await outcome(locks.lock('a:b:c', 30).get());
    expect(error).toBeInstanceOf(LockStoreError);
    expect(error).toMatchObject({ operation: 'acquire', lockName: 'a:b:c', cause });
    expect((error as Error).message).toContain('ECONNREFUSED');
  });

  it('wraps a synchronous throw from the store', async () => {
    const store = new SwitchStore();
    const cause = new TypeError('store bug');
    store.override.set('currentOwner', () => {
      throw cause;
    });
    const error = await outcome(createLocks({ store }).lock('a:b:c').isLocked());
    expect(error).toMatchObject({ name: 'LockStoreError', operation: 'currentOwner', cause });
  });

  it('fails a block() whose store breaks while it waits, within the wait plus the timeout', async () => {
    const store = new SwitchStore();
    const locks = createLocks({ store, timeout: '200ms', recheckInterval: '50ms' });
    const holder = locks.lock('a:b:c', 0);
    await holder.get();
    const waiting = locks.lock('a:b:c', 30).block(60);
    await sleep(100);
    store.override.set('acquire', () => new Promise(() => undefined));
    const error = await outcome(waiting);
    expect(error).toMatchObject({ name: 'LockStoreError', operation: 'acquire' });
  });

  it('settles block(wait) on a hanging store by the wait plus the timeout at most', async () => {
    const store = new SwitchStore();
    const locks = createLocks({ store, timeout: '200ms' });
    await locks.lock('x:y:z').get();
    store.override.set('subscribe', () => new Promise(() => undefined));
    const error = await outcome(locks.lock('x:y:z', 30).block(0.2));
    expect(error).toMatchObject({ name: 'LockStoreError', operation: 'subscribe' });
  });

  it('gives back an acquisition whose answer came after the deadline', async () => {
    const store = new SwitchStore();
    let lateRequest: AcquireRequest | undefined;
    store.override.set('acquire', async (request) => {
      lateRequest = request as AcquireRequest;
      await sleep(300);
      return store.inner.acquire(lateRequest);
    });
    const locks = createLocks({ store, timeout: '100ms' });
    const lock = locks.lock('late:answer:1', 30);
    expect(await outcome(lock.get())).toMatchObject({ name: 'LockStoreError', operation: 'acquire' });
    // The store took the lock at ~300 ms; the core releases it as soon as it hears.
    const end = Date.now() + 10_000;
    while (store.count('release') === 0 && Date.now() < end) await sleep(20);
    expect(store.count('release')).toBe(1);
    expect(await store.inner.currentOwner('late:answer:1')).toBeNull();
    expect(lateRequest?.owner).toBe(lock.owner);
  });

  it('swallows a store rejection that arrives after the deadline', async () => {
    const store = new SwitchStore();
    store.override.set('release', async () => {
      await sleep(200);
      throw new Error('too late to matter');
    });
    const locks = createLocks({ store, timeout: '50ms' });
    expect(await outcome(locks.lock('a:b:c').release())).toMatchObject({ operation: 'release' });
    await sleep(400);
    expect(unhandled).toEqual([]);
  });
});

describe('a closed manager', () => {
  it('rejects later calls and closes the store it was given', async () => {
    const store = new SwitchStore();
    const locks = createLocks({ store });
    const lock = locks.lock('a:b:c', 30);
    expect(await lock.get()).toBe(true);
    await locks.close();
    await locks.close(); // idempotent
    expect(await outcome(lock.release())).toMatchObject({ name: 'LockStoreError', message: expect.stringMatching(/closed/) });
    expect(await outcome(locks.lock('a:b:c').get())).toBeInstanceOf(LockStoreError);
    await expect(store.inner.currentOwner('a:b:c')).rejects.toThrow(/closed/);
  });

  it('ends a waiter blocked on a closed store', async () => {
    const store = new SwitchStore();
    const locks = createLocks({ store });
    await locks.lock('a:b:c').get();
    const waiting = locks.lock('a:b:c', 30).block(60);
    await sleep(100);
    await locks.close();
    expect(await outcome(waiting)).toBeInstanceOf(LockStoreError);
  });
});

describe('no unhandled rejections', () => {
  it('saw none in this file', async () => {
    await sleep(50);
    expect(unhandled).toEqual([]);
  });
});
