/**
 * A closure's own result or error is never hidden by a failing release: the release failure goes to the
 * manager's `onError` (default: a process warning) instead.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createLocks, LockStoreError } from 'locksmith-js';
import { SwitchStore } from './doubles.js';

function failingRelease(): { store: SwitchStore; cause: Error } {
  const store = new SwitchStore();
  const cause = new Error('connection reset');
  store.override.set('release', () => Promise.reject(cause));
  return { store, cause };
}

describe('a release that fails after a closure', () => {
  it('still returns the closure result and reports the failure to onError', async () => {
    const { store, cause } = failingRelease();
    const reported: unknown[] = [];
    const locks = createLocks({ store, onError: (error) => reported.push(error) });
    expect(await locks.lock('a:b:c', 30).get(() => 'result')).toBe('result');
    expect(await locks.lock('a:b:d', 30).block(1, async () => 42)).toBe(42);
    expect(reported).toHaveLength(2);
    expect(reported[0]).toBeInstanceOf(LockStoreError);
    expect(reported[0]).toMatchObject({ operation: 'release', lockName: 'a:b:c', cause });
    expect(reported[1]).toMatchObject({ operation: 'release', lockName: 'a:b:d' });
  });

  it('still rethrows the closure error unchanged, and reports the release failure', async () => {
    const { store } = failingRelease();
    const reported: unknown[] = [];
    const locks = createLocks({ store, onError: (error) => reported.push(error) });
    const boom = new RangeError('closure failed');
    await expect(
      locks.lock('a:b:c', 30).get(() => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({ name: 'LockStoreError', operation: 'release' });
  });

  it('survives an onError handler that throws', async () => {
    const { store } = failingRelease();
    const locks = createLocks({
      store,
      onError: () => {
        throw new Error('handler bug');
      },
    });
    expect(await locks.lock('a:b:c', 30).get(() => 'ok')).toBe('ok');
  });

  describe('without onError', () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning);
    };
    afterEach(() => {
      process.off('warning', onWarning);
    });

    it('emits a process warning', async () => {
      process.on('warning', onWarning);
      const { store } = failingRelease();
      const locks = createLocks({ store });
      expect(await locks.lock('warn:me:1', 30).get(() => 'ok')).toBe('ok');
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.some((w) => w instanceof LockStoreError && w.lockName === 'warn:me:1')).toBe(true);
    });
  });
});

describe('a closure that releases the lock itself', () => {
  it('is neither aborted nor reported', async () => {
    const store = new SwitchStore();
    const reported: unknown[] = [];
    const locks = createLocks({ store, onError: (error) => reported.push(error) });
    const result = await locks.lock('a:b:c', 30).get(async ({ lock, signal }) => {
      expect(await lock.release()).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 100));
      return signal.aborted;
    });
    expect(result).toBe(false);
    expect(reported).toEqual([]);
  });
});
