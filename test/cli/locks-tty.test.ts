/**
 * The terminal parts of `locksmith locks`, driven in a real pseudo-terminal (`script` from util-linux runs
 * the command on a pty; keys are written to it): `watch` redraws every second and quits on `q`, and
 * `release --force` asks before releasing when a person is at the terminal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLocks, RedisStore, type LockManager } from 'locksmith-js';
import { main } from '../../bin/cli.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tsx = join(root, 'node_modules/tsx/dist/loader.mjs');
const PREFIX = `tty_${randomUUID().slice(0, 8)}:`;
const HEADER = 'locksmith locks watch:';
/** These tests start the command as processes (through tsx: seconds each on a busy machine). */
const PROCESS_TEST_MS = 120_000;

let url: string;
let client: Redis;
let locks: LockManager;

beforeAll(async () => {
  url = inject('redisUrl');
  client = new Redis(url);
  await client.ping();
  locks = createLocks({ store: new RedisStore(client), prefix: PREFIX, timeout: 3 });
});
afterAll(async () => {
  await locks.close();
  client.disconnect();
});

interface Terminal {
  readonly child: ChildProcess;
  /** Everything the terminal showed, escape sequences removed. */
  text(): string;
  raw(): string;
  type(keys: string): void;
  exited: Promise<number | null>;
}

/** Runs `locksmith locks …args` on a 100×30 pseudo-terminal. */
function terminal(args: readonly string[]): Terminal {
  const quoted = args.map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');
  const command = `stty cols 100 rows 30; exec '${process.execPath}' --import '${tsx}' bin/locksmith.ts locks ${quoted}`;
  const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    text: () => stripVTControlCharacters(output).replace(/\r/g, ''),
    raw: () => output,
    type: (keys) => void child.stdin?.write(keys),
    exited,
  };
}

/** The frames drawn so far (each starts with the header line). */
const frames = (term: Terminal): string[] => term.text().split(HEADER).slice(1);

async function until(what: string, check: () => boolean, withinMs = 30_000): Promise<void> {
  const end = Date.now() + withinMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('locksmith locks watch in a pseudo-terminal', () => {
  it('shows the held locks with their TTL and waiters, follows changes every second, and quits on q', async () => {
    const first = locks.lock('import:batch:1', 60);
    await first.get();
    const controller = new AbortController();
    const waiting = locks.lock('import:batch:1', 60).block(60, { signal: controller.signal }).catch(() => false);
    const term = terminal(['watch', '--redis', url, '--prefix', PREFIX]);
    let second: ReturnType<LockManager['lock']> | undefined;
    try {
      await until('a frame with the lock and its waiter', () =>
        frames(term).some((frame) => /^import:batch:1\s+\S{22}\s+\d+\.\ds\s+1\s+-$/m.test(frame)),
      );
      const frame = frames(term).find((f) => f.includes('import:batch:1')) ?? '';
      expect(frame).toContain(`prefix "${PREFIX}"`);
      expect(frame).toMatch(/^NAME\s+OWNER\s+TTL\s+WAITERS\s+FENCE$/m);
      expect(frame).toContain('1 held, 1 waiting');

      const seen = frames(term).length;
      second = locks.lock('report:nightly:all', 0, { fencing: true });
      await second.get();
      await until('a later frame with the second lock', () =>
        frames(term)
          .slice(seen)
          .some((f) => /^report:nightly:all\s+\S{22}\s+never\s+0\s+\d+$/m.test(f) && f.includes('2 held, 1 waiting')),
      );

      const before = frames(term).length;
      controller.abort();
      await waiting;
      await first.release();
      await until('a frame without the released lock', () =>
        frames(term)
          .slice(before)
          .some((f) => f.includes('1 held, 0 waiting') && !f.includes('import:batch:1')),
      );
      // Redrawn in place: the terminal output moves the cursor up over the previous frame, not one frame per screen.
      expect(term.raw()).toContain('\u001b[1A');

      term.type('q');
      expect(await Promise.race([term.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 10_000))])).toBe(0);
      // The cursor, hidden while drawing, is shown again.
      expect(term.raw().lastIndexOf('\u001b[?25h')).toBeGreaterThan(term.raw().lastIndexOf('\u001b[?25l'));
    } finally {
      term.child.kill();
      controller.abort();
      await waiting;
      await first.release();
      await second?.release();
    }
  }, PROCESS_TEST_MS);

  it('refuses to run without a terminal (exit 2, pointing to list --json)', async () => {
    let stderr = '';
    const code = await main(['locks', 'watch', '--redis', url], {
      cwd: root,
      stdout: { write: () => true },
      stderr: { write: (text: string) => (stderr += text) },
    });
    expect(code).toBe(2);
    expect(stderr).toContain('list --json');
  });
});

describe('locksmith locks release on a terminal', () => {
  it('asks first: "n" keeps the lock (exit 1), "y" releases it (exit 0)', async () => {
    const holder = locks.lock('api:call:x', 60);
    await holder.get();
    try {
      const declined = terminal(['release', 'api:call:x', '--force', '--redis', url, '--prefix', PREFIX]);
      await until('the question', () => declined.text().includes('[y/N]'));
      expect(declined.text()).toContain(`Force-release "api:call:x", held by ${holder.owner}`);
      declined.type('n\r');
      expect(await declined.exited).toBe(1);
      expect(declined.text()).toContain('not released');
      expect(await holder.isOwnedByCurrentProcess()).toBe(true);

      const accepted = terminal(['release', 'api:call:x', '--force', '--redis', url, '--prefix', PREFIX]);
      await until('the question', () => accepted.text().includes('[y/N]'));
      accepted.type('y\r');
      expect(await accepted.exited).toBe(0);
      expect(accepted.text()).toMatch(/action=force-release name="api:call:x" previous_owner="[^"]+"/);
      expect(await holder.isLocked()).toBe(false);
    } finally {
      await holder.release();
    }
  }, PROCESS_TEST_MS);
});
