/**
 * What the Redis server itself says about the load a subject puts on it: command counts from
 * `INFO commandstats` (which also counts commands a Lua script runs) and the connections from `CLIENT LIST`.
 * Client requests (round trips) come from `MONITOR`, see test/support/redis-monitor.ts.
 */
import type { Redis } from 'ioredis';

export type CommandCounts = Map<string, number>;

/** `INFO commandstats` as command → calls. */
export async function commandStats(admin: Redis): Promise<CommandCounts> {
  const text = await admin.info('commandstats');
  const counts: CommandCounts = new Map();
  for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    counts.set(match[1] ?? '', Number(match[2]));
  }
  return counts;
}

/** The server's CPU time so far (user + system, `INFO cpu`), in µs: commands, scripts, protocol and sockets. */
export async function serverCpuUs(admin: Redis): Promise<number> {
  const info = await admin.info('cpu');
  const seconds = (name: string): number => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
  return (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1e6;
}

/** Calls per command between two snapshots, leaving out the commands the benchmark's own admin client sends. */
export function commandDelta(before: CommandCounts, after: CommandCounts): CommandCounts {
  const ignored = new Set(['info', 'client|list', 'config|resetstat', 'monitor', 'client|setname', 'ping']);
  const delta: CommandCounts = new Map();
  for (const [command, calls] of after) {
    if (ignored.has(command)) continue;
    const diff = calls - (before.get(command) ?? 0);
    if (diff > 0) delta.set(command, diff);
  }
  return delta;
}

export function totalCalls(counts: CommandCounts): number {
  let total = 0;
  for (const calls of counts.values()) total += calls;
  return total;
}

/** `a:3 b:1`, largest first: a compact breakdown for the report. */
export function formatCounts(counts: CommandCounts, per = 1): string {
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([command, calls]) => `${command}:${Number((calls / per).toFixed(2))}`)
    .join(' ');
}

/** Connections open on the server whose name starts with `prefix` (ioredis `connectionName`, kept by `duplicate()`). */
export async function connectionCount(admin: Redis, prefix?: string): Promise<number> {
  const list = (await admin.client('LIST')) as string;
  return list
    .split('\n')
    .filter((line) => line.trim() !== '')
    .filter((line) => prefix === undefined || (/ name=(\S*)/.exec(line)?.[1] ?? '').startsWith(prefix)).length;
}
