/**
 * Opens the Redis connection an admin tool (`locksmith locks`) reads through, here because only
 * `src/stores/redis*` touches ioredis: standalone (`--redis URL` or `REDIS_URL`),
 * Sentinel (`--sentinel host:port,… --sentinel-name NAME`) or Cluster (`--cluster host:port,…`). No retries
 * and no offline queue: an unreachable Redis is reported once, within the timeout, instead of hanging.
 */
import { Cluster, Redis } from 'ioredis';
import { formatSeconds } from '../duration.js';

export interface Target {
  readonly redis: string | undefined;
  readonly cluster: string | undefined;
  readonly sentinel: string | undefined;
  readonly sentinelName: string;
  readonly timeoutMs: number;
}

/** Redis could not be reached (exit 2); the message is one line. */
export class UnreachableError extends Error {}

export type Client = Redis | Cluster;

/** `host:port,host:port` → addresses; a bad one is a usage error (thrown as TypeError). */
export function parseAddresses(list: string, option: string): { host: string; port: number }[] {
  return list.split(',').map((entry) => {
    const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(entry.trim());
    if (!match) throw new TypeError(`${option} expects host:port[,host:port…], got ${JSON.stringify(entry)}`);
    return { host: match[1] as string, port: Number(match[2]) };
  });
}

/** Where the command connects, for messages. */
export function describeTarget(target: Target): string {
  if (target.cluster !== undefined) return `the Cluster at ${target.cluster}`;
  if (target.sentinel !== undefined) return `the Sentinel master "${target.sentinelName}" via ${target.sentinel}`;
  return `Redis at ${redact(target.redis ?? '')}`;
}

/** Connects, or throws {@link UnreachableError} when Redis does not answer within the timeout. */
export async function connect(target: Target): Promise<Client> {
  const ms = target.timeoutMs;
  const common = { lazyConnect: true, connectTimeout: ms, commandTimeout: ms, enableOfflineQueue: false, maxRetriesPerRequest: 0 };
  let client: Client;
  if (target.cluster !== undefined) {
    client = new Cluster(parseAddresses(target.cluster, '--cluster'), {
      lazyConnect: true,
      enableOfflineQueue: false,
      clusterRetryStrategy: () => null,
      redisOptions: { connectTimeout: ms, commandTimeout: ms, maxRetriesPerRequest: 0 },
    });
  } else if (target.sentinel !== undefined) {
    client = new Redis({
      ...common,
      sentinels: parseAddresses(target.sentinel, '--sentinel'),
      name: target.sentinelName,
      sentinelRetryStrategy: () => null,
      retryStrategy: () => null,
    });
  } else {
    client = new Redis(target.redis ?? '', { ...common, retryStrategy: () => null });
  }
  let lastError: unknown;
  client.on('error', (error: unknown) => (lastError = error));
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect().then(() => client.ping()),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('no answer')), ms);
      }),
    ]);
    return client;
  } catch (error) {
    client.disconnect();
    const cause = lastError ?? error;
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new UnreachableError(`cannot reach ${describeTarget(target)} within ${formatSeconds(ms)} (${reason.split('\n')[0]})`);
  } finally {
    clearTimeout(timer);
  }
}

/** A URL without its password. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}
