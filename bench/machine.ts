/** The machine and software a run was measured on, for the header of RESULTS.md. */
import { availableParallelism, cpus, loadavg } from 'node:os';
import type { Redis } from 'ioredis';

export interface Machine {
  readonly date: string;
  readonly nproc: number;
  readonly cpu: string;
  readonly node: string;
  readonly redis: string;
  readonly ioredis: string;
  /** 1-minute load average when the run started: other work on a shared machine skews every number. */
  readonly load: number;
}

export async function describeMachine(admin: Redis, ioredisVersion: string): Promise<Machine> {
  const server = await admin.info('server');
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    redis: /redis_version:(\S+)/.exec(server)?.[1] ?? 'unknown',
    ioredis: ioredisVersion,
    load: loadavg()[0] ?? 0,
  };
}
