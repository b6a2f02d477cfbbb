/**
 * `locksmith locks watch`: the held locks, their remaining TTL and waiters, redrawn every second in place
 * (log-update repaints the previous frame), until `q` or Ctrl-C.
 */
import { emitKeypressEvents } from 'node:readline';
import type { LockInfo, RedisLockInspector } from '../../src/stores/redis-inspect.js';
import { lockTable } from './render.js';

export interface WatchOptions {
  readonly inspector: RedisLockInspector;
  readonly match: string;
  /** Shown in the header: where the locks are read from. */
  readonly source: string;
  readonly intervalMs: number;
  readonly stdin: NodeJS.ReadStream;
  readonly stdout: NodeJS.WriteStream;
}

/** One frame: a header line, then the table (or why there is none). */
export function watchFrame(source: string, prefix: string, at: Date, locks: readonly LockInfo[] | Error): string {
  const header = `locksmith locks watch: ${source}, prefix ${JSON.stringify(prefix)}, ${at.toISOString().slice(11, 19)} UTC  (q quits)`;
  if (locks instanceof Error) return `${header}\n\nread failed, retrying: ${locks.message}`;
  const waiting = locks.reduce((sum, lock) => sum + lock.waiters, 0);
  const summary = `${locks.length} held, ${waiting} waiting`;
  return locks.length === 0 ? `${header}\n\nno locks held` : `${header}\n${summary}\n\n${lockTable(locks)}`;
}

/** Runs until the user quits; resolves with the exit code (0). */
export async function watch(options: WatchOptions): Promise<number> {
  const { inspector, stdin, stdout } = options;
  // An optional peer: only the live view needs it (see the missing-peer message in cli.ts).
  const { createLogUpdate } = await import('log-update');
  const render = createLogUpdate(stdout, { showCursor: false });
  return new Promise((resolve) => {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const refresh = async (): Promise<void> => {
      let locks: LockInfo[] | Error;
      try {
        locks = await inspector.list(options.match);
      } catch (error) {
        locks = error instanceof Error ? error : new Error(String(error));
      }
      if (stopped) return;
      render(watchFrame(options.source, inspector.prefix, new Date(), locks));
      timer = setTimeout(() => void refresh(), options.intervalMs);
    };
    const onKey = (text: string | undefined, key: { name?: string; ctrl?: boolean } | undefined): void => {
      if (text === 'q' || text === 'Q' || (key?.ctrl === true && key.name === 'c')) stop();
    };
    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      stdin.off('keypress', onKey);
      if (stdin.isTTY) stdin.setRawMode(false);
      stdin.pause();
      render.done();
      resolve(0);
    };
    emitKeypressEvents(stdin);
    if (stdin.isTTY) stdin.setRawMode(true);
    stdin.on('keypress', onKey);
    stdin.resume();
    void refresh();
  });
}
