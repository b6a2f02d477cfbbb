/** Plain-text tables for `locksmith locks` (list, show, and each frame of watch). */
import type { LockDetails, LockInfo } from '../../src/stores/redis-inspect.js';

/** A remaining lease for people: `never`, `850ms`, `12.3s`, `4m05s`, `2h03m`. */
export function formatTtl(ms: number): string {
  if (ms < 0) return 'never';
  if (ms < 1_000) return `${ms}ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)}s`;
  const s = Math.floor(ms / 1_000);
  if (s < 3_600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3_600)}h${String(Math.floor((s % 3_600) / 60)).padStart(2, '0')}m`;
}

/** Left-aligned columns separated by two spaces; the header row first. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

/** The table of `locks list` and of `watch`. */
export function lockTable(locks: readonly LockInfo[]): string {
  return table(
    ['NAME', 'OWNER', 'TTL', 'WAITERS', 'FENCE'],
    locks.map((lock) => [lock.name, lock.owner, formatTtl(lock.ttlMs), String(lock.waiters), lock.fence === null ? '-' : String(lock.fence)]),
  );
}

/** `locks show NAME`: the lock's fields, then its queue. */
export function lockDetails(lock: LockDetails): string {
  const fields = table(
    ['name', lock.name],
    [
      ['owner', lock.owner],
      ['ttl', formatTtl(lock.ttlMs)],
      ['waiters', String(lock.waiters)],
      ['fence', lock.fence === null ? '-' : String(lock.fence)],
    ],
  );
  if (lock.queue.length === 0) return `${fields}\n\nno queued waiters`;
  const queue = table(
    ['#', 'ARRIVAL', 'DEADLINE', 'TTL', 'OWNER'],
    lock.queue.map((waiter, index) => [
      String(index + 1),
      waiter.arrival,
      waiter.deadline,
      waiter.ttlMs === 0 ? 'never' : formatTtl(waiter.ttlMs),
      waiter.owner,
    ]),
  );
  const more = lock.waiters > lock.queue.length ? `\n… and ${lock.waiters - lock.queue.length} more` : '';
  return `${fields}\n\nqueued waiters (oldest first):\n${queue}${more}`;
}
