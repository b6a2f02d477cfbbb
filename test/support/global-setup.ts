/**
 * One shared redis-server for the whole test run, on a free loopback port; tests that need their own
 * (faults, Cluster, Sentinel) start more with `startRedis()`. Each test file uses its own key prefix, so
 * files running in parallel never see each other's keys.
 */
import type { TestProject } from 'vitest/node';
import { startRedis, type RedisServer } from './redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

let server: RedisServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  server = await startRedis();
  project.provide('redisUrl', server.url);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}
