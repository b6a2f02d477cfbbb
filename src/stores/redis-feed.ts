/**
 * The subscriber connection RedisStore opens for wake-ups: a duplicate of the user's client (same address,
 * credentials, TLS, Sentinel settings), never the user's client itself, which stays free for commands.
 *
 * - Standalone / Sentinel: one connection, PUBLISH/SUBSCRIBE (works on every Redis version).
 * - Cluster: sharded pub/sub (Redis 7): the duplicate runs with `shardedSubscribers`, one subscriber per
 *   master, and SSUBSCRIBE reaches the shard that owns the channel's slot, where the release script's
 *   SPUBLISH is delivered.
 */
import type { Cluster, Redis } from 'ioredis';
import type { ReleaseFeed, ReleaseFeedEvents } from './redis-waiters.js';
import type { RedisClient } from './redis-script-runner.js';

/** The command the release scripts announce with, for this kind of client. */
export function publishCommand(client: RedisClient): 'PUBLISH' | 'SPUBLISH' {
  return client.isCluster ? 'SPUBLISH' : 'PUBLISH';
}

const DOWN = new Set(['reconnecting', 'close', 'end', 'disconnecting']);

export function openReleaseFeed(client: RedisClient, events: ReleaseFeedEvents): ReleaseFeed {
  return client.isCluster ? clusterFeed(client as Cluster, events) : standaloneFeed(client as Redis, events);
}

function standaloneFeed(client: Redis, events: ReleaseFeedEvents): ReleaseFeed {
  const subscriber = client.duplicate({
    // Our own connection: whatever the user chose for theirs, a wake-up subscription should wait for a
    // reconnect rather than fail, and come back by itself.
    enableOfflineQueue: true,
    autoResubscribe: true,
    lazyConnect: false,
    connectionName: 'locksmith:releases',
  });
  watch(subscriber, events);
  // The connection must not keep the process alive by itself: a waiter's own timer does while it waits, and
  // an idle store (nothing waiting, channels lingering) must let a script that ended its client exit.
  subscriber.on('connect', () => subscriber.stream.unref());
  subscriber.on('message', (channel: string, message: string) => events.onMessage(channel, message));
  return {
    subscribe: (channel) => subscriber.subscribe(channel),
    unsubscribe: (channel) => subscriber.unsubscribe(channel),
    isUsable: () => !DOWN.has(subscriber.status),
    close: () => subscriber.disconnect(),
    presence: true,
  };
}

function clusterFeed(client: Cluster, events: ReleaseFeedEvents): ReleaseFeed {
  const subscriber = client.duplicate([], { shardedSubscribers: true, lazyConnect: false });
  watch(subscriber, events);
  subscriber.on('smessage', (channel: string, message: string) => events.onMessage(channel, message));
  return {
    subscribe: (channel) => subscriber.ssubscribe(channel),
    unsubscribe: (channel) => subscriber.sunsubscribe(channel),
    isUsable: () => !DOWN.has(subscriber.status),
    close: () => subscriber.disconnect(),
    // A presence channel would have to live on every shard (scripts see only their own node's pub/sub).
    presence: false,
  };
}

function watch(subscriber: Redis | Cluster, events: ReleaseFeedEvents): void {
  // Connection errors surface through the commands that need the connection (and waiting has its fallback);
  // without a listener ioredis would print every reconnect attempt's error as unhandled.
  subscriber.on('error', () => undefined);
  let readyBefore = false;
  subscriber.on('ready', () => {
    if (readyBefore) events.onReconnect();
    readyBefore = true;
  });
}
