/**
 * Runs a named Lua script by SHA (EVALSHA: the script text is not resent on every call), falling back to
 * EVAL when the server answers NOSCRIPT: the script was never loaded on that server, or was flushed
 * (SCRIPT FLUSH, a restart, a failover to a replica that never saw it). EVAL caches the script on the server
 * that ran it, so the fallback costs one extra round trip once per server. On a Cluster both commands are
 * routed by the script's keys, so each node loads the script the first time it is asked to run it.
 */
import type { Cluster, Redis } from 'ioredis';
import type { RedisScript } from './redis-scripts.js';

export type RedisClient = Redis | Cluster;

/** Runs `script`; its reply is typed as the script declares it (a Lua script's reply is not checked). */
export function runScript<Result>(
  client: RedisClient,
  script: RedisScript<Result>,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<Result> {
  const reply = client.evalsha(script.sha, keys.length, ...keys, ...args).catch((error: unknown) => {
    if (!isNoScript(error)) throw error;
    return client.eval(script.source, keys.length, ...keys, ...args);
  });
  return reply as Promise<Result>;
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}
