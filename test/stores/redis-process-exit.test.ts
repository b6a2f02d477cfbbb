/**
 * RedisStore never keeps the process alive on its own: after a block() that waited (so the store opened its
 * subscriber connection), a script that ends its own client, without closing the lock manager, exits.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { runFixture } from '../support/run-fixture.js';

describe('an idle RedisStore', () => {
  it.each(['quit', 'disconnect', 'unref'])('lets the process exit once the user’s client ends or is unref()ed (%s)', async (endWith) => {
    const script = fileURLToPath(new URL('../runtime/fixtures/redis-quit-exit.ts', import.meta.url));
    const { code, stdout, stderr } = await runFixture(script, {
      env: { REDIS_URL: inject('redisUrl'), END_WITH: endWith },
      hangMs: 15_000,
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ waited: 'ran' });
  });
});

describe('a RedisStore waiter', () => {
  it('keeps the process alive until its wait ends, even with every connection unref()ed', async () => {
    const script = fileURLToPath(new URL('../runtime/fixtures/redis-block-keeps-alive.ts', import.meta.url));
    const { code, stdout, stderr } = await runFixture(script, { env: { REDIS_URL: inject('redisUrl') }, hangMs: 15_000 });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ outcome: 'LockTimeoutError', waitedFullWait: true });
  });
});
