/**
 * One shared redis-server for the whole test run, on a free loopback port; tests that need their own
 * (faults, Cluster, Sentinel) start more with `startRedis()`. Each test file uses its own key prefix, so
 * files running in parallel never see each other's keys.
 */
import { spawnSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { startRedis, type RedisServer } from './redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

let server: RedisServer | undefined;

/** The one line `npm test` prints when the machine has no `redis-server`: what is missing and how to get it. */
export const MISSING_REDIS =
  'npm test needs redis-server on PATH (the tests start their own, on free loopback ports): install it, ' +
  'e.g. apt-get install redis-server (Debian/Ubuntu) or brew install redis (macOS)';

export async function setup(project: TestProject): Promise<void> {
  if (spawnSync('redis-server', ['--version']).error) {
    // A stack would bury the one thing to do; vitest prints an error's stack, so it is the message alone.
    const error = new Error(MISSING_REDIS);
    error.stack = MISSING_REDIS;
    throw error;
  }
  server = await startRedis();
  project.provide('redisUrl', server.url);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}
