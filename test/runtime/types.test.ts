/**
 * The public types a TypeScript user relies on (checked by `tsc` in `npm run typecheck`; the runtime
 * assertions below check the same handles behave as typed).
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createLocks, MemoryStore, type Lock, type LockContext, type LockManager } from 'locksmith-js';

describe('public types', () => {
  const locks: LockManager = createLocks({ store: new MemoryStore() });
  const lock = locks.lock('types:check:1', 30);

  /** Type assertions only: never called (calling get()/block() here would take the lock). */
  function typeAssertions(): void {
    expectTypeOf(lock.get()).toEqualTypeOf<Promise<boolean>>();
    expectTypeOf(lock.get(() => 42)).toEqualTypeOf<Promise<number | false>>();
    expectTypeOf(lock.get(async () => 'x')).toEqualTypeOf<Promise<string | false>>();
    expectTypeOf(lock.block(1)).toEqualTypeOf<Promise<true>>();
    expectTypeOf(lock.block('1s', async () => ({ rows: 3 }))).toEqualTypeOf<Promise<{ rows: number }>>();
    expectTypeOf(lock.block(1, () => 1, { signal: AbortSignal.abort() })).toEqualTypeOf<Promise<number>>();
    expectTypeOf(lock.fencingToken).toEqualTypeOf<number | undefined>();
    expectTypeOf(lock.refresh).parameters.toEqualTypeOf<[ttl?: number | `${number}${'ms' | 's' | 'm' | 'h'}`]>();
  }

  it('types the overloads of get() and block() by their closure', async () => {
    expect(typeof typeAssertions).toBe('function');
    expect(await lock.get(() => 42)).toBe(42);
    expect(await lock.block(1, async (context) => {
      expectTypeOf(context).toEqualTypeOf<LockContext>();
      expectTypeOf(context.lock).toEqualTypeOf<Lock>();
      return context.lock === lock && context.signal instanceof AbortSignal;
    })).toBe(true);
    await expect(lock.block(1, () => 1, { signal: AbortSignal.abort('no') })).rejects.toBe('no');
  });

  it('accepts the documented duration forms and rejects others at compile time', () => {
    locks.lock('types:check:2', 0.25);
    locks.lock('types:check:2', '250ms');
    locks.lock('types:check:2', '2h');
    // @ts-expect-error a bare numeric string is not a Duration
    expect(() => locks.lock('types:check:2', '30')).toThrow(TypeError);
    // @ts-expect-error an unknown unit is not a Duration
    expect(() => locks.lock('types:check:2', '5d')).toThrow(TypeError);
  });
});
