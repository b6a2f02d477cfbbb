/**
 * What the Redis server itself says about the load a subject puts on it: command counts from
 * `INFO commandstats` (which also counts commands a Lua script runs), client requests from `MONITOR` (which
 * marks script-internal commands as `lua`, so a request is one round trip a client paid for), and the
 * connections from `CLIENT LIST`.
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

/**
 * Counts client requests (round trips) by command while `MONITOR` runs on a dedicated connection; commands a
 * Lua script runs are counted apart as `scriptInternal`.
 */
export class RequestCounter {
  readonly requests: CommandCounts = new Map();
  scriptInternal = 0;
  private monitor: { disconnect(): void } | undefined;

  async start(admin: Redis): Promise<void> {
    const monitor = await admin.monitor();
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (source.includes('lua')) {
        this.scriptInternal++;
        return;
      }
      const command = (args[0] ?? '').toLowerCase();
      if (command === 'info' || command === 'client') return;
      this.requests.set(command, (this.requests.get(command) ?? 0) + 1);
    });
    this.monitor = monitor;
  }

  reset(): void {
    this.requests.clear();
    this.scriptInternal = 0;
  }

  stop(): void {
    this.monitor?.disconnect();
    this.monitor = undefined;
  }
}
