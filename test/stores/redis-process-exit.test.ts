/**
 * RedisStore never keeps the process alive on its own: after a block() that waited (so the store opened its
 * subscriber connection), a script that ends its own client, without closing the lock manager, exits.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';

describe('an idle RedisStore', () => {
  it.each(['quit', 'disconnect', 'unref'])('lets the process exit once the user’s client ends or is unref()ed (%s)', async (endWith) => {
    const { code, stdout, stderr } = await runFixture('redis-quit-exit.ts', {
      REDIS_URL: inject('redisUrl'),
      END_WITH: endWith,
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ waited: 'ran' });
  });
});

/** Runs a fixture in its own Node process; `code` is 'hung' if it had not exited after 15 s. */
async function runFixture(
  name: string,
  env: Record<string, string>,
): Promise<{ code: number | null | 'hung'; stdout: string; stderr: string }> {
  const script = fileURLToPath(new URL(`../runtime/fixtures/${name}`, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null | 'hung'>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve('hung');
    }, 15_000);
    child.on('exit', (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode);
    });
  });
  return { code, stdout, stderr };
}
