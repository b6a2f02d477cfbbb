/**
 * `locksmith locks` on the shared redis-server: list/show/release in-process through `main(argv, io)`, the
 * exit codes and the unreachable-Redis line end to end in a child process. Locks are taken by real managers
 * (RedisStore) under a prefix that a Laravel-style cache shares, whose entries must never be listed.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLocks, RedisStore, type LockManager } from 'locksmith-js';
import { main } from '../../bin/cli.js';
import { fencingKey, grantKey, queueKey } from '../../src/stores/redis-keys.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/locksmith.ts');
const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;
const PREFIX = `shared_cache_${randomUUID().slice(0, 8)}:`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let url: string;
let admin: Redis;
let client: Redis;
let locks: LockManager;

async function locksmith(...args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(['locks', ...args], {
    cwd: root,
    env: { REDIS_URL: url },
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

function locksmithProcess(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run & { ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', tsx, bin, 'locks', ...args],
      { cwd: root, timeout: 60_000, env: { ...process.env, REDIS_URL: '', ...env } },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(error);
          return;
        }
        resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr, ms: Date.now() - started });
      },
    );
  });
}

const listed = async (...args: string[]): Promise<{ name: string; owner: string; ttlMs: number; waiters: number; fence: number | null }[]> => {
  const run = await locksmith('list', '--prefix', PREFIX, '--json', ...args);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as never;
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What a Laravel app keeps under the same prefix: serialized values, numbers, other types. */
async function writeCache(): Promise<void> {
  await admin.set(`${PREFIX}user:1`, 's:5:"hello";', 'PX', 60_000);
  await admin.set(`${PREFIX}config`, 'a:2:{s:3:"foo";i:1;s:3:"bar";b:1;}');
  await admin.set(`${PREFIX}visits:today`, '1234567890123456'); // a bare number of token length
  await admin.set(`${PREFIX}visits:small`, '42');
  await admin.set(`${PREFIX}flag`, 'b:0;');
  await admin.set(`${PREFIX}json`, '{"token":"abcdefghijklmnopqrstuv"}');
  await admin.set(`${PREFIX}tag:long`, 's:40:"abcdefghijklmnopqrstuvwxyzabcdefghijklmn";');
  await admin.hset(`${PREFIX}hash`, 'field', 'abcdefghijklmnopqrstuv');
  await admin.rpush(`${PREFIX}list`, 'abcdefghijklmnopqrstuv');
  await admin.zadd(`${PREFIX}zset`, 1, 'abcdefghijklmnopqrstuv');
}

beforeAll(async () => {
  url = inject('redisUrl');
  admin = new Redis(url);
  client = new Redis(url);
  await Promise.all([admin.ping(), client.ping()]);
  locks = createLocks({ store: new RedisStore(client), prefix: PREFIX, timeout: 3 });
  await writeCache();
});

afterAll(async () => {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await admin.scan(cursor, 'MATCH', `*${PREFIX}*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  if (keys.length > 0) await admin.del(...keys);
  await locks.close();
  admin.disconnect();
  client.disconnect();
});

describe('locksmith locks list', () => {
  it('lists the held locks, and none of the cache entries under the same prefix', async () => {
    const fenced = locks.lock('import:batch:42', 30, { fencing: true });
    const forever = locks.lock('report:nightly:all', 0);
    expect(await fenced.get()).toBe(true);
    expect(await forever.get()).toBe(true);
    // A Laravel process's lock: SET NX PX with a 16-character alphanumeric owner (Str::random()).
    await admin.set(`${PREFIX}laravel:job:7`, 'aB3dE5gH7jK9mN1p', 'PX', 20_000, 'NX');
    try {
      const all = await listed();
      expect(all.map((lock) => lock.name)).toEqual(['import:batch:42', 'laravel:job:7', 'report:nightly:all']);
      const [batch, laravel, nightly] = all;
      expect(batch).toEqual({ name: 'import:batch:42', owner: fenced.owner, ttlMs: expect.any(Number), waiters: 0, fence: fenced.fencingToken });
      expect(Object.keys(batch ?? {})).toEqual(['name', 'owner', 'ttlMs', 'waiters', 'fence']);
      expect(batch?.ttlMs).toBeGreaterThan(20_000);
      expect(batch?.ttlMs).toBeLessThanOrEqual(30_000);
      expect(laravel).toMatchObject({ owner: 'aB3dE5gH7jK9mN1p', fence: null });
      expect(nightly).toEqual({ name: 'report:nightly:all', owner: forever.owner, ttlMs: -1, waiters: 0, fence: null });

      const text = await locksmith('list', '--prefix', PREFIX);
      expect(text.code).toBe(0);
      expect(text.stdout.split('\n')[0]).toMatch(/^NAME\s+OWNER\s+TTL\s+WAITERS\s+FENCE$/);
      expect(text.stdout).toContain(`report:nightly:all  ${forever.owner}`);
      expect(text.stdout).toMatch(/report:nightly:all\s+\S+\s+never\s+0\s+-/);
      expect(text.stdout).not.toMatch(/user:1|config|visits|flag|json|hash|zset|tag:long/);
    } finally {
      await fenced.release();
      await forever.release();
      await admin.del(`${PREFIX}laravel:job:7`);
    }
    // Released: the fencing counter stays behind, and is no lock.
    expect(await admin.exists(fencingKey(`${PREFIX}import:batch:42`))).toBe(1);
    expect(await listed()).toEqual([]);
    expect((await locksmith('list', '--prefix', PREFIX)).stdout).toBe('no locks held\n');
  });

  it('counts queued waiters, and recognises a lock with a short custom owner by its hold record', async () => {
    const holder = locks.lock('sync:facility:9', 30, { owner: 'worker-1' });
    expect(await holder.get()).toBe(true);
    try {
      // "worker-1" does not look like an owner token, but every acquisition writes its hold record beside the key.
      expect(await listed()).toEqual([{ name: 'sync:facility:9', owner: 'worker-1', ttlMs: expect.any(Number), waiters: 0, fence: null }]);
      await admin.del(grantKey(`${PREFIX}sync:facility:9`));
      // Without the record (a key a Laravel app set with such a value) and with nobody queued: a cache value.
      expect(await listed()).toEqual([]);
      const controller = new AbortController();
      const waiters = [0, 1].map(() => locks.lock('sync:facility:9', 30).block(20, { signal: controller.signal }).catch(() => false));
      try {
        await expectEventually(async () => (await admin.zcard(queueKey(`${PREFIX}sync:facility:9`))) === 2);
        expect(await listed()).toEqual([{ name: 'sync:facility:9', owner: 'worker-1', ttlMs: expect.any(Number), waiters: 2, fence: null }]);
      } finally {
        controller.abort();
        await Promise.all(waiters);
      }
    } finally {
      // By token: the holder's own hold record was deleted above, so only a restored handle can release it.
      expect(await locks.restoreLock('sync:facility:9', 'worker-1').release()).toBe(true);
    }
  });

  it('--match filters by name; an empty prefix lists every lock but never the derived keys', async () => {
    const a = locks.lock('match:alpha:1', 30, { fencing: true });
    const b = locks.lock('match:beta:1', 30);
    await a.get();
    await b.get();
    const controller = new AbortController();
    const waiting = locks.lock('match:alpha:1', 30).block(20, { signal: controller.signal }).catch(() => false);
    try {
      await expectEventually(async () => (await admin.zcard(queueKey(`${PREFIX}match:alpha:1`))) === 1);
      expect((await listed('--match', 'match:a*')).map((lock) => lock.name)).toEqual(['match:alpha:1']);
      expect((await listed('--match', 'match:*:1')).map((lock) => lock.name)).toEqual(['match:alpha:1', 'match:beta:1']);
      const everything = await locksmith('list', '--json', '--match', `*${PREFIX}*`);
      const names = (JSON.parse(everything.stdout) as { name: string }[]).map((lock) => lock.name);
      expect(names).toEqual([`${PREFIX}match:alpha:1`, `${PREFIX}match:beta:1`]);
    } finally {
      controller.abort();
      await waiting;
      await a.release();
      await b.release();
    }
  });

  it('a prefix with glob characters matches itself only', async () => {
    const other = createLocks({ store: new RedisStore(client), prefix: `${PREFIX}x` });
    const starred = createLocks({ store: new RedisStore(client), prefix: `${PREFIX}*` });
    const plain = other.lock('glob:test:1', 30);
    const star = starred.lock('glob:test:1', 30);
    await plain.get();
    await star.get();
    try {
      const run = await locksmith('list', '--prefix', `${PREFIX}*`, '--json');
      expect(JSON.parse(run.stdout)).toEqual([expect.objectContaining({ name: 'glob:test:1', owner: star.owner })]);
    } finally {
      await plain.release();
      await star.release();
    }
  });
});

describe('locksmith locks show', () => {
  it('shows the lock and its queued waiters, oldest first, with arrival, deadline and ttl', async () => {
    const holder = locks.lock('label:generate:fac1', 30, { fencing: true });
    await holder.get();
    const controller = new AbortController();
    const first = locks.lock('label:generate:fac1', 12);
    const second = locks.lock('label:generate:fac1', 0);
    const waits = [first.block(20, { signal: controller.signal }).catch(() => false)];
    await expectEventually(async () => (await admin.zcard(queueKey(`${PREFIX}label:generate:fac1`))) === 1);
    waits.push(second.block(25, { signal: controller.signal }).catch(() => false));
    await expectEventually(async () => (await admin.zcard(queueKey(`${PREFIX}label:generate:fac1`))) === 2);
    try {
      const before = Date.now();
      const run = await locksmith('show', 'label:generate:fac1', '--prefix', PREFIX, '--json');
      expect(run.code, run.stderr).toBe(0);
      const shown = JSON.parse(run.stdout) as { queue: { arrival: string; deadline: string; ttlMs: number; owner: string }[] };
      expect(shown).toEqual({
        name: 'label:generate:fac1',
        owner: holder.owner,
        ttlMs: expect.any(Number),
        waiters: 2,
        fence: holder.fencingToken,
        queue: [
          { arrival: expect.any(String), deadline: expect.any(String), ttlMs: 12_000, owner: first.owner },
          { arrival: expect.any(String), deadline: expect.any(String), ttlMs: 0, owner: second.owner },
        ],
      });
      const [one, two] = shown.queue;
      expect(Date.parse(one?.arrival ?? '')).toBeLessThanOrEqual(Date.parse(two?.arrival ?? ''));
      // Deadlines: the waits asked for 20 s and 25 s (less what had passed when they queued).
      expect(Date.parse(one?.deadline ?? '') - before).toBeGreaterThan(15_000);
      expect(Date.parse(one?.deadline ?? '') - before).toBeLessThanOrEqual(20_500);
      expect(Date.parse(two?.deadline ?? '') - Date.parse(one?.deadline ?? '')).toBeGreaterThan(2_000);

      const text = await locksmith('show', 'label:generate:fac1', '--prefix', PREFIX);
      expect(text.stdout).toMatch(/^name\s+label:generate:fac1$/m);
      expect(text.stdout).toContain('queued waiters (oldest first):');
      expect(text.stdout).toMatch(new RegExp(`^1\\s+\\S+\\s+\\S+\\s+12\\.0s\\s+${first.owner}$`, 'm'));
      expect(text.stdout).toMatch(new RegExp(`^2\\s+\\S+\\s+\\S+\\s+never\\s+${second.owner}$`, 'm'));
    } finally {
      controller.abort();
      await Promise.all(waits);
      await holder.release();
    }
  });

  it('exit 1 with one line when nothing holds the name (a cache entry is not held either)', async () => {
    const missing = await locksmith('show', 'nothing:here:1', '--prefix', PREFIX);
    expect(missing).toEqual({ code: 1, stdout: '', stderr: 'locksmith: no lock is held under "nothing:here:1"\n' });
    const hash = await locksmith('show', 'hash', '--prefix', PREFIX);
    expect(hash.code).toBe(1);
  });
});

describe('locksmith locks release --force', () => {
  it('frees the lock through the store: the queued waiter acquires at once; one audit line on stderr', async () => {
    const holder = locks.lock('process:package:1A4', 60);
    await holder.get();
    const waiter = locks.lock('process:package:1A4', 30);
    let acquiredAt = 0;
    const waiting = waiter.block(30).then((value) => {
      acquiredAt = Date.now();
      return value;
    });
    await expectEventually(async () => (await admin.zcard(queueKey(`${PREFIX}process:package:1A4`))) === 1);
    await sleep(100);
    expect(acquiredAt).toBe(0);
    const releasedAt = Date.now();
    const run = await locksmith('release', 'process:package:1A4', '--force', '--yes', '--prefix', PREFIX);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('');
    const lines = run.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    const audit = lines[0] ?? '';
    expect(audit).toMatch(/^time=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z action=force-release name="process:package:1A4" /);
    expect(audit).toContain(`previous_owner="${holder.owner}"`);
    const ttl = Number(/ ttl_ms=(\d+) /.exec(audit)?.[1]);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(audit).toMatch(/ user="[^"]+" host="[^"]+"$/);

    await expect(waiting).resolves.toBe(true);
    // Handed over by the release, not found by a re-check (the lease had a minute left).
    expect(acquiredAt - releasedAt).toBeLessThan(5_000);
    expect(await waiter.isOwnedByCurrentProcess()).toBe(true);
    expect(await holder.release()).toBe(false);
    await waiter.release();
  });

  it('exit 1 when the name is not held (and a cache key under the name is left alone); exit 2 without --force', async () => {
    const run = await locksmith('release', 'nobody:holds:this', '--force', '--yes', '--prefix', PREFIX);
    expect(run).toEqual({ code: 1, stdout: '', stderr: 'locksmith: no lock is held under "nobody:holds:this"\n' });
    const unforced = await locksmith('release', 'process:package:1A4', '--prefix', PREFIX);
    expect(unforced.code).toBe(2);
    expect(unforced.stderr).toContain('--force');
    expect(await admin.hget(`${PREFIX}hash`, 'field')).toBe('abcdefghijklmnopqrstuv');
  });

  it('exit 2 for a name whose key is another lock’s derived key: its hold record is left alone', async () => {
    // No prefix: a derived key starts with `{`, so only a prefix that does (or none) can spell one.
    const locks = createLocks({ store: new RedisStore(admin) });
    const held = locks.lock(`${PREFIX}derived:victim`, 30);
    expect(await held.get()).toBe(true);
    const recordName = grantKey(`${PREFIX}derived:victim`);
    try {
      expect(await admin.exists(recordName)).toBe(1);
      for (const command of ['show', 'release']) {
        const run = await locksmith(command, recordName, ...(command === 'release' ? ['--force', '--yes'] : []));
        expect(run.code, command).toBe(2);
        expect(run.stderr).toContain('is reserved: RedisStore keeps the hold record of the lock key');
      }
      // Without the refusal, "releasing" the record by its value would have deleted it: x could not release.
      expect(await held.release()).toBe(true);
    } finally {
      await admin.del(`${PREFIX}derived:victim`, recordName);
    }
  });
});

describe('locksmith locks: connection and usage', () => {
  // The two tests below start the command as a process (through tsx: seconds on a busy machine).
  const PROCESS_TEST_MS = 120_000;

  it('exit 2 with one clear line when Redis cannot be reached within the timeout', async () => {
    // A listening socket that never answers: connect succeeds, Redis never replies.
    const { createServer } = await import('node:net');
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const run = await locksmithProcess(['list', '--timeout', '1s'], { REDIS_URL: `redis://127.0.0.1:${port}` });
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(new RegExp(`^locksmith: cannot reach Redis at redis://127\\.0\\.0\\.1:${port}/? within 1s \\(.+\\)\\n$`));
      const refused = await locksmith('list', '--redis', 'redis://127.0.0.1:1', '--timeout', '2s');
      expect(refused.code).toBe(2);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
      expect(refused.stderr).toContain('ECONNREFUSED');
    } finally {
      silent.close();
    }
  }, PROCESS_TEST_MS);

  it('reads REDIS_URL, and refuses bad usage with exit 2', async () => {
    const run = await locksmithProcess(['list', '--prefix', PREFIX, '--json'], { REDIS_URL: url });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([]);
    let noRedisError = '';
    const noRedisCode = await main(['locks', 'list'], {
      cwd: root,
      env: {},
      stdout: { write: () => true },
      stderr: { write: (text: string) => (noRedisError += text) },
    });
    expect(noRedisCode).toBe(2);
    expect(noRedisError).toContain('--redis');
    for (const args of [['show'], ['frobnicate'], ['list', '--cluster', 'nohost'], ['list', '--redis', url, '--cluster', '127.0.0.1:1']]) {
      const bad = await locksmith(...args);
      expect(bad.code, args.join(' ')).toBe(2);
    }
    const help = await locksmith('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('locksmith locks <command>');
  }, PROCESS_TEST_MS);
});

async function expectEventually(check: () => Promise<boolean>, withinMs = 10_000): Promise<void> {
  const end = Date.now() + withinMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`condition not met within ${withinMs} ms`);
    await sleep(10);
  }
}
