/**
 * Multi-node Redis topologies for the topology and fault tests, started from the same `redis-server` binary as
 * `startRedis()` on free loopback ports, each node in its own temp dir: a Redis Cluster, a Sentinel group, and
 * N independent masters. Every starter stops what it already started when a later step fails, and every
 * topology's `stop()` stops all of its processes (call it in `afterAll`/`finally`).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, startRedis, type RedisServer } from './redis-server.js';

const run = promisify(execFile);

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** Runs one command with `redis-cli` against a node; the reply as text (trimmed). */
export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 10_000 });
  return stdout.trim();
}

/** Polls `check` until it returns true or `timeoutMs` passes; `what` names the awaited state in the error. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Stops every server, even when some stops fail; never rejects. */
export async function stopAll(servers: readonly RedisServer[], signal?: NodeJS.Signals): Promise<void> {
  await Promise.allSettled(servers.map((server) => server.stop(signal === undefined ? {} : { signal })));
}

/** Starts servers with `start` one by one; if one fails, stops the ones already started and rethrows. */
async function startEach(count: number, start: (index: number) => Promise<RedisServer>, started: RedisServer[]): Promise<void> {
  try {
    for (let index = 0; index < count; index++) started.push(await start(index));
  } catch (error) {
    await stopAll(started);
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------------
// N independent masters
// ---------------------------------------------------------------------------------------------------------

export interface RedisMasters {
  readonly servers: readonly RedisServer[];
  readonly addresses: readonly HostPort[];
  stop(): Promise<void>;
}

/** Starts `count` unrelated standalone masters (the quorum store's nodes). */
export async function startMasters(count: number, args: string[] = []): Promise<RedisMasters> {
  const servers: RedisServer[] = [];
  await startEach(count, () => startRedis({ args }), servers);
  return {
    servers,
    addresses: servers.map((server) => ({ host: server.host, port: server.port })),
    stop: () => stopAll(servers),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Redis Cluster
// ---------------------------------------------------------------------------------------------------------

export interface RedisClusterTopology {
  readonly nodes: readonly RedisServer[];
  /** Startup nodes for `new Cluster(startupNodes)`. */
  readonly startupNodes: readonly HostPort[];
  stop(): Promise<void>;
}

/** A cluster node: its client port and its cluster-bus port are both picked free (`--cluster-port`, Redis 7). */
async function startClusterNode(nodeTimeoutMs: number): Promise<RedisServer> {
  for (let attempt = 0; ; attempt++) {
    const busPort = await freePort();
    try {
      return await startRedis({
        args: [
          '--cluster-enabled', 'yes',
          '--cluster-config-file', 'nodes.conf',
          '--cluster-node-timeout', String(nodeTimeoutMs),
          '--cluster-port', String(busPort),
          '--cluster-require-full-coverage', 'yes',
        ],
      });
    } catch (error) {
      // The bus port may have been taken between `freePort()` and the bind: pick another.
      if (attempt >= 3) throw error;
    }
  }
}

/**
 * Starts a Redis Cluster of `masters` masters with `replicas` replicas each (default none; `redis-cli --cluster
 * create`), and waits until every node reports `cluster_state:ok` and knows every other node.
 */
export async function startCluster(
  options: { masters?: number; replicas?: number; nodeTimeoutMs?: number } = {},
): Promise<RedisClusterTopology> {
  const masters = options.masters ?? 3;
  const replicas = options.replicas ?? 0;
  const total = masters * (1 + replicas);
  const nodes: RedisServer[] = [];
  await startEach(total, () => startClusterNode(options.nodeTimeoutMs ?? 2_000), nodes);
  const stop = (): Promise<void> => stopAll(nodes);
  try {
    await run(
      'redis-cli',
      ['--cluster', 'create', ...nodes.map((node) => `127.0.0.1:${node.port}`), '--cluster-replicas', String(replicas), '--cluster-yes'],
      { timeout: 60_000 },
    );
    for (const node of nodes) {
      await waitFor(`cluster_state:ok on ${node.port}`, async () => {
        const info = await redisCli(node.port, 'CLUSTER', 'INFO');
        return info.includes('cluster_state:ok') && info.includes(`cluster_known_nodes:${total}`);
      });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes, startupNodes: nodes.map((node) => ({ host: node.host, port: node.port })), stop };
}

/** The port of the cluster master serving `key` (asks the cluster: `CLUSTER KEYSLOT`, then `CLUSTER SLOTS`). */
export async function clusterPortForKey(anyNodePort: number, key: string): Promise<number> {
  const slot = Number(await redisCli(anyNodePort, 'CLUSTER', 'KEYSLOT', key));
  const shards = (await redisCli(anyNodePort, '--json', 'CLUSTER', 'SLOTS').catch(() => '')) || '';
  if (shards !== '') {
    const ranges = JSON.parse(shards) as [number, number, [string, number, ...unknown[]]][];
    for (const [from, to, [, port]] of ranges) if (slot >= from && slot <= to) return port;
  }
  throw new Error(`no master serves slot ${slot}`);
}

// ---------------------------------------------------------------------------------------------------------
// Sentinel
// ---------------------------------------------------------------------------------------------------------

export interface RedisSentinelTopology {
  /** The master group's name (for ioredis `{ sentinels, name }`). */
  readonly name: string;
  /** The master and the replica as started; after a failover the roles are swapped. */
  readonly master: RedisServer;
  readonly replica: RedisServer;
  readonly sentinels: readonly RedisServer[];
  readonly sentinelAddresses: readonly HostPort[];
  /** The port the sentinels currently name as master. */
  currentMasterPort(): Promise<number>;
  /** Waits until the sentinels name a master other than `oldPort` and it accepts writes. */
  waitForFailover(oldPort: number, timeoutMs?: number): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Starts one master, one replica (`--replicaof`) and three sentinels (quorum 2) with short
 * `down-after-milliseconds`/`failover-timeout`, so a killed master is replaced within a few seconds. Waits until
 * the replica is in sync and every sentinel knows the replica and the other two sentinels.
 */
export async function startSentinel(
  options: { name?: string; downAfterMs?: number; failoverTimeoutMs?: number } = {},
): Promise<RedisSentinelTopology> {
  const name = options.name ?? 'locksmith';
  const downAfterMs = options.downAfterMs ?? 1_000;
  const failoverTimeoutMs = options.failoverTimeoutMs ?? 5_000;
  const all: RedisServer[] = [];
  const stop = (): Promise<void> => stopAll(all);
  try {
    const master = await startRedis();
    all.push(master);
    const replica = await startRedis({ args: ['--replicaof', '127.0.0.1', String(master.port)] });
    all.push(replica);
    await waitFor('the replica to sync', async () =>
      (await redisCli(replica.port, 'INFO', 'replication')).includes('master_link_status:up'),
    );
    const sentinels: RedisServer[] = [];
    await startEach(
      3,
      () => {
        const dir = mkdtempSync(join(tmpdir(), 'locksmith-sentinel-'));
        const configFile = join(dir, 'sentinel.conf');
        // Sentinel rewrites this file as it learns the topology, hence a fresh writable one per sentinel.
        writeFileSync(
          configFile,
          [
            `sentinel monitor ${name} 127.0.0.1 ${master.port} 2`,
            `sentinel down-after-milliseconds ${name} ${downAfterMs}`,
            `sentinel failover-timeout ${name} ${failoverTimeoutMs}`,
            `sentinel parallel-syncs ${name} 1`,
            '',
          ].join('\n'),
        );
        return startRedis({ configFile, dir, args: ['--sentinel'] });
      },
      sentinels,
    );
    all.push(...sentinels);
    for (const sentinel of sentinels) {
      await waitFor(`sentinel ${sentinel.port} to know the replica and its peers`, async () => {
        const replicas = await redisCli(sentinel.port, 'SENTINEL', 'REPLICAS', name);
        const peers = await redisCli(sentinel.port, 'SENTINEL', 'SENTINELS', name);
        return replicas.includes(String(replica.port)) && peers.split('\n').filter((line) => line === 'runid').length === 2;
      });
    }
    const currentMasterPort = async (): Promise<number> => {
      for (const sentinel of sentinels) {
        if (sentinel.process.exitCode !== null) continue;
        const reply = await redisCli(sentinel.port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name).catch(() => '');
        const port = Number(reply.split('\n')[1]);
        if (Number.isInteger(port) && port > 0) return port;
      }
      throw new Error('no sentinel answered GET-MASTER-ADDR-BY-NAME');
    };
    return {
      name,
      master,
      replica,
      sentinels,
      sentinelAddresses: sentinels.map((sentinel) => ({ host: sentinel.host, port: sentinel.port })),
      currentMasterPort,
      async waitForFailover(oldPort, timeoutMs = 60_000) {
        let newPort = 0;
        await waitFor(
          `a new master replacing ${oldPort}`,
          async () => {
            newPort = await currentMasterPort();
            if (newPort === oldPort) return false;
            return (await redisCli(newPort, 'INFO', 'replication')).includes('role:master');
          },
          timeoutMs,
          200,
        );
        return newPort;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
