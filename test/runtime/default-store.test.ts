/**
 * Without a store, every manager of the process shares one MemoryStore: they exclude each other on the same
 * prefixed names, close() leaves the shared store open, and the store never keeps the process alive.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createLocks, MemoryStore } from 'locksmith-js';
import { runFixture, type FixtureRun } from '../support/run-fixture.js';

describe('the default store', () => {
  it('is one MemoryStore shared by every createLocks() of the process', async () => {
    const first = createLocks();
    const second = createLocks();
    expect(first.store).toBeInstanceOf(MemoryStore);
    expect(second.store).toBe(first.store);

    const a = first.lock('default:shared:1', 30);
    const b = second.lock('default:shared:1', 30);
    expect(await a.get()).toBe(true);
    expect(await b.get()).toBe(false);
    expect(await b.isLocked()).toBe(true);
    expect(await a.release()).toBe(true);
    expect(await b.get()).toBe(true);
    await b.release();
  });

  it('applies prefixes on the shared store: prefix + name is the key', async () => {
    const app = createLocks({ prefix: 'app:' });
    const plain = createLocks();
    const other = createLocks({ prefix: 'other:' });
    expect(await app.lock('default:prefix:1', 30).get()).toBe(true);
    expect(await plain.lock('app:default:prefix:1', 30).get()).toBe(false);
    expect(await other.lock('default:prefix:1', 30).get()).toBe(true);
    await app.lock('default:prefix:1').forceRelease();
    await other.lock('default:prefix:1').forceRelease();
  });

  it('stays open when one manager closes', async () => {
    const closing = createLocks();
    const staying = createLocks();
    await closing.close();
    await expect(closing.lock('default:close:1').get()).rejects.toThrow(/closed/);
    const lock = staying.lock('default:close:1', 30);
    expect(await lock.get()).toBe(true);
    expect(await lock.release()).toBe(true);
  });

  it('never keeps the process alive', async () => {
    const { code, stdout, stderr } = await fixture('idle-exit.ts');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ held: true, closure: 'ran' });
  });

  it('lets a pending block() keep the process alive until it acquires', async () => {
    const { code, stdout, stderr } = await fixture('block-keeps-alive.ts');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ acquired: true });
  });
});

function fixture(name: string): Promise<FixtureRun> {
  return runFixture(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)));
}
