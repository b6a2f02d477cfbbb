/**
 * Runs one fault scenario: starts the lock server(s) and a separate resource server, spawns worker processes
 * (`test/faults/support/worker.ts`), lets the scenario inject its fault while they run, then checks what the
 * resource recorded. Every server and worker started here is stopped in `finally`, whatever happens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { startRedis, type RedisServer } from '../../support/redis-server.js';
import { startSentinel, waitFor, type RedisSentinelTopology } from '../../support/redis-topology.js';
import { RESOURCE_KEYS, readState, type ResourceState } from './resource.js';
import type { WorkerConfig, WorkerEvent } from './worker.js';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

export interface ScenarioOptions {
  readonly name: string;
  /** Number of lock servers: 1 = RedisStore on one server, more = QuorumStore over independent masters. */
  readonly lockServers?: number;
  /** Lock on a Sentinel group (master, replica, 3 sentinels) instead of standalone servers. */
  readonly sentinel?: boolean;
  /** Extra redis-server arguments for the lock servers (e.g. persistence). */
  readonly lockServerArgs?: readonly string[];
  readonly workers?: number;
  readonly ttlMs?: number;
  readonly waitMs?: number;
  readonly timeoutMs?: number;
  readonly sectionMs?: number;
  readonly runMs?: number;
  /** The fault, injected once every worker is ready. */
  readonly inject?: (context: ScenarioContext) => Promise<void>;
}

export interface WorkerHandle {
  readonly id: string;
  readonly process: ChildProcess;
  /** Set when the scenario killed it on purpose (not a hang). */
  killedOnPurpose: boolean;
}

export interface ScenarioContext {
  readonly options: Required<Omit<ScenarioOptions, 'inject' | 'lockServerArgs' | 'sentinel'>>;
  /** The Sentinel group, when the scenario asked for one. */
  readonly sentinel: RedisSentinelTopology | undefined;
  /** The lock servers, current incarnation (a restart replaces the entry). */
  readonly lockServers: RedisServer[];
  readonly workers: readonly WorkerHandle[];
  readonly events: readonly WorkerEvent[];
  readonly resource: Redis;
  /** A worker inside its critical section right now (waits for one). */
  holder(): Promise<WorkerHandle>;
  /**
   * Freezes (SIGSTOP) a worker that is inside its critical section, checked after the freeze (a stopped
   * process cannot leave), so the fault hits a holder and not a worker that just left.
   */
  freezeHolder(): Promise<WorkerHandle>;
  /** Stops lock server `index` with `signal` (its data dir kept), waits `downMs`, restarts it on its port. */
  restartLockServer(index: number, options?: { signal?: NodeJS.Signals; downMs?: number }): Promise<void>;
}

export interface ScenarioReport {
  readonly scenario: string;
  /** Critical sections completed (each one a read-modify-write). */
  readonly sections: number;
  /** Plain (unfenced) read-modify-write updates lost: writes − final value. */
  readonly lostUpdates: number;
  /** Times a worker entered its critical section while another was inside. */
  readonly overlaps: number;
  /** Fenced accesses the resource refused: stale holders revealed by their tokens. */
  readonly staleRefused: number;
  /** Accepted fenced writes that were lost anyway (must be 0: the fence is the downstream check). */
  readonly fencedLost: number;
  /** Fencing tokens handed to more than one acquisition (a counter that went back, e.g. at a failover). */
  readonly tokensReissued: number;
  /** Sections whose lost-lock signal had fired before their write. */
  readonly signalled: number;
  /** Longest time between one section's end and the next one's start: how long the lock sat unused at worst. */
  readonly longestGapMs: number;
  readonly hung: number;
  readonly unhandled: number;
  readonly storeErrors: number;
  readonly timeouts: number;
  readonly releaseErrors: number;
  readonly state: ResourceState;
  readonly events: readonly WorkerEvent[];
  readonly durationMs: number;
}

export async function runScenario(scenario: ScenarioOptions): Promise<ScenarioReport> {
  const options = {
    name: scenario.name,
    lockServers: scenario.lockServers ?? 1,
    workers: scenario.workers ?? 4,
    ttlMs: scenario.ttlMs ?? 1_000,
    waitMs: scenario.waitMs ?? 5_000,
    timeoutMs: scenario.timeoutMs ?? 1_000,
    sectionMs: scenario.sectionMs ?? 80,
    runMs: scenario.runMs ?? 6_000,
  };
  const lockArgs = [...(scenario.lockServerArgs ?? [])];
  const started = performance.now();
  const servers: RedisServer[] = [];
  const lockServers: RedisServer[] = [];
  const workers: WorkerHandle[] = [];
  const events: WorkerEvent[] = [];
  let resource: Redis | undefined;
  let sentinel: RedisSentinelTopology | undefined;
  let stderr = '';
  try {
    const resourceServer = await startRedis();
    servers.push(resourceServer);
    if (scenario.sentinel) {
      sentinel = await startSentinel({ downAfterMs: 1_000, failoverTimeoutMs: 5_000 });
      lockServers.push(sentinel.master, sentinel.replica);
    } else {
      for (let index = 0; index < options.lockServers; index++) {
        const server = await startRedis({ args: lockArgs });
        servers.push(server);
        lockServers.push(server);
      }
    }
    resource = new Redis(resourceServer.url);
    await resource.del(...Object.values(RESOURCE_KEYS));

    for (let index = 0; index < options.workers; index++) {
      const config: WorkerConfig = {
        id: `w${index}`,
        lockUrls: lockServers.map((server) => server.url),
        ...(sentinel && { sentinel: { name: sentinel.name, sentinels: [...sentinel.sentinelAddresses] } }),
        resourceUrl: resourceServer.url,
        name: `fault:${options.name}`,
        ttlMs: options.ttlMs,
        waitMs: options.waitMs,
        timeoutMs: options.timeoutMs,
        sectionMs: options.sectionMs,
        runMs: options.runMs,
      };
      const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
        env: { ...process.env, FAULT_WORKER: JSON.stringify(config) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      workers.push({ id: config.id, process: child, killedOnPurpose: false });
      createInterface({ input: child.stdout! }).on('line', (line) => {
        try {
          events.push(JSON.parse(line) as WorkerEvent);
        } catch {
          // Not ours (a stray log line): ignore.
        }
      });
      child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
    }
    try {
      await waitFor('every worker to be ready', async () => events.filter((e) => e.ev === 'ready').length === workers.length, 60_000, 50);
    } catch (error) {
      throw new Error(`workers did not start; their stderr:\n${stderr}`, { cause: error });
    }

    const context: ScenarioContext = {
      options,
      sentinel,
      lockServers,
      workers,
      events,
      resource,
      async holder() {
        let id: string | undefined;
        await waitFor('a worker inside its critical section', async () => {
          id = (await resource!.srandmember(RESOURCE_KEYS.holders)) ?? undefined;
          return id !== undefined;
        }, 20_000, 5);
        return workers.find((worker) => worker.id === id) as WorkerHandle;
      },
      async freezeHolder() {
        for (;;) {
          const candidate = await this.holder();
          candidate.process.kill('SIGSTOP');
          if (await resource!.sismember(RESOURCE_KEYS.holders, candidate.id)) return candidate;
          candidate.process.kill('SIGCONT');
        }
      },
      async restartLockServer(index, { signal = 'SIGKILL', downMs = 0 } = {}) {
        const old = lockServers[index] as RedisServer;
        await old.stop({ keepDir: true, signal });
        if (downMs > 0) await sleep(downMs);
        const fresh = await startRedis({ port: old.port, dir: old.dir, args: lockArgs });
        servers.push(fresh);
        lockServers[index] = fresh;
      },
    };
    await scenario.inject?.(context);

    // Every worker exits on its own after runMs; one that does not within its bound is hung.
    const exitBound = options.runMs + options.waitMs + 2 * options.timeoutMs + options.sectionMs + 30_000;
    let hungWorkers = 0;
    await Promise.all(
      workers.map(async (worker) => {
        if (await exited(worker.process, exitBound)) return;
        hungWorkers++;
        worker.process.kill('SIGKILL');
      }),
    );
    await sleep(50); // the last stdout lines
    const state = await readState(resource);
    const errors = events.filter((e): e is Extract<WorkerEvent, { ev: 'error' }> => e.ev === 'error');
    const sections = events.filter((e): e is Extract<WorkerEvent, { ev: 'section' }> => e.ev === 'section');
    return {
      scenario: options.name,
      sections: sections.length,
      lostUpdates: state.plainWrites - state.plain,
      overlaps: state.overlaps,
      staleRefused: state.fencedRejected,
      fencedLost: state.fencedAccepted - state.fenced,
      tokensReissued: reissued(events),
      signalled: sections.filter((s) => s.signalled).length,
      longestGapMs: longestGap(sections),
      hung: events.filter((e) => e.ev === 'hung').length + hungWorkers,
      unhandled: errors.filter((e) => e.kind === 'unhandledRejection').length,
      storeErrors: errors.filter((e) => e.kind === 'store').length,
      timeouts: errors.filter((e) => e.kind === 'timeout').length,
      releaseErrors: errors.filter((e) => e.kind === 'onError').length,
      state,
      events,
      durationMs: performance.now() - started,
    };
  } finally {
    for (const worker of workers) if (worker.process.exitCode === null && worker.process.signalCode === null) worker.process.kill('SIGKILL');
    resource?.disconnect();
    await Promise.allSettled(servers.map((server) => server.stop()));
    await sentinel?.stop();
  }
}

function longestGap(sections: readonly Extract<WorkerEvent, { ev: 'section' }>[]): number {
  const ordered = [...sections].sort((a, b) => a.at - b.at);
  let longest = 0;
  let lastEnd: number | undefined;
  for (const section of ordered) {
    if (lastEnd !== undefined) longest = Math.max(longest, section.at - lastEnd);
    lastEnd = Math.max(lastEnd ?? 0, section.end);
  }
  return Math.round(longest);
}

function reissued(events: readonly WorkerEvent[]): number {
  const seen = new Set<number>();
  let twice = 0;
  for (const event of events) {
    if (event.ev !== 'acquired') continue;
    if (seen.has(event.token)) twice++;
    seen.add(event.token);
  }
  return twice;
}

function exited(child: ChildProcess, withinMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), withinMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** One line of the fault table (docs/deployment.md). */
export function tableRow(report: ScenarioReport): string {
  const cells = [
    report.scenario,
    report.sections,
    report.overlaps,
    report.lostUpdates,
    report.staleRefused,
    report.fencedLost,
    report.tokensReissued,
    report.signalled,
    report.hung,
    report.unhandled,
    report.storeErrors,
    report.longestGapMs,
  ];
  return `| ${cells.join(' | ')} |`;
}

/** The header `tableRow` lines go under (as in docs/deployment.md). */
export const TABLE_HEADER =
  '| scenario | sections | overlaps | lost updates | refused | lost fenced | reissued | signal | hung | unhandled | store errors | longest gap (ms) |\n' +
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |';
