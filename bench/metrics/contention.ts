/**
 * Contention: several OS processes fight over one key, each doing a non-atomic read-modify-write of a counter
 * under the lock. Reports acquisitions per second (all processes, until the last one finished), lost updates
 * (acquisitions minus the counter: anything above 0 means two holders overlapped), fairness (the fewest
 * acquisitions of a process divided by the most) and Redis commands per acquisition. Run in interleaved
 * rounds (see `combineContention`), as contention numbers swing with whatever else the machine runs.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import type { ContentionOrder, ContentionReport } from '../contention-worker.js';
import { commandDelta, commandStats, serverCpuUs, totalCalls } from '../redis-stats.js';

export interface ContentionResult {
  readonly processes: number;
  readonly acquisitionsPerSecond: number;
  readonly acquisitions: number;
  readonly lostUpdates: number;
  readonly fairness: number;
  readonly perProcess: readonly number[];
  readonly gaveUp: number;
  readonly commandsPerAcquisition: number;
  /** Raw totals, for combining rounds. */
  readonly elapsedMs: number;
  readonly commands: number;
  /** CPU time of the worker processes' loops (all of them), in µs. */
  readonly clientCpuUs: number;
  /** CPU time of the Redis server over the round (`INFO cpu`, user + system), in µs. */
  readonly serverCpuUs: number;
}

/** One result from several rounds of the same subject: totals summed, per-process counts added up. */
export function combineContention(rounds: readonly ContentionResult[]): ContentionResult {
  const first = rounds[0];
  if (!first) throw new Error('no contention rounds to combine');
  const perProcess = first.perProcess.map((_, i) => rounds.reduce((total, r) => total + (r.perProcess[i] ?? 0), 0));
  const acquisitions = rounds.reduce((total, r) => total + r.acquisitions, 0);
  const elapsedMs = rounds.reduce((total, r) => total + r.elapsedMs, 0);
  const commands = rounds.reduce((total, r) => total + r.commands, 0);
  return {
    processes: first.processes,
    acquisitionsPerSecond: acquisitions / (elapsedMs / 1000),
    acquisitions,
    lostUpdates: rounds.reduce((total, r) => total + r.lostUpdates, 0),
    fairness: Math.max(...perProcess) === 0 ? 0 : Math.min(...perProcess) / Math.max(...perProcess),
    perProcess,
    gaveUp: rounds.reduce((total, r) => total + r.gaveUp, 0),
    commandsPerAcquisition: acquisitions === 0 ? Number.NaN : commands / acquisitions - 2,
    clientCpuUs: rounds.reduce((total, r) => total + r.clientCpuUs, 0),
    serverCpuUs: rounds.reduce((total, r) => total + r.serverCpuUs, 0),
    elapsedMs,
    commands,
  };
}

type WorkerMessage = { ready: true } | { ok: true; report: ContentionReport } | { ok: false; error: string };

/** A pool of worker processes, started once and reused for every subject (tsx start-up is slow on 2 cores). */
export class ContentionPool {
  private constructor(private readonly workers: ChildProcess[]) {}

  static async start(processes: number): Promise<ContentionPool> {
    const script = fileURLToPath(new URL('../contention-worker.ts', import.meta.url));
    const workers = Array.from({ length: processes }, () =>
      fork(script, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
    );
    await Promise.all(workers.map((worker) => nextMessage(worker)));
    return new ContentionPool(workers);
  }

  async measure(admin: Redis, subject: string, url: string, durationMs: number): Promise<ContentionResult> {
    const key = `bench:contention:${subject}`;
    const counterKey = `bench:contention-counter:${subject}`;
    await admin.del(key, counterKey);
    const before = await commandStats(admin);
    const serverCpuBefore = await serverCpuUs(admin);
    const startAt = Date.now() + 1_500; // time for every process to build its subject and connect
    const order: ContentionOrder = { subject, url, key, counterKey, startAt, durationMs };
    const reports = await Promise.all(
      this.workers.map(async (worker) => {
        const reply = nextMessage(worker);
        worker.send(order);
        const message = await reply;
        if ('ok' in message && message.ok) return message.report;
        throw new Error(`contention worker failed: ${'error' in message ? message.error : 'no report'}`);
      }),
    );
    const commands = totalCalls(commandDelta(before, await commandStats(admin)));
    const counter = Number((await admin.get(counterKey)) ?? 0);
    const perProcess = reports.map((report) => report.acquired);
    const acquisitions = perProcess.reduce((a, b) => a + b, 0);
    const elapsedMs = Math.max(...reports.map((report) => report.finishedAt)) - startAt;
    const serverCpu = (await serverCpuUs(admin)) - serverCpuBefore;
    return {
      processes: this.workers.length,
      acquisitionsPerSecond: acquisitions / (elapsedMs / 1000),
      acquisitions,
      lostUpdates: acquisitions - counter,
      fairness: Math.max(...perProcess) === 0 ? 0 : Math.min(...perProcess) / Math.max(...perProcess),
      perProcess,
      gaveUp: reports.reduce((total, report) => total + report.gaveUp, 0),
      // Minus the read-modify-write itself (GET + SET): what is left is the lock's own cost.
      commandsPerAcquisition: acquisitions === 0 ? Number.NaN : commands / acquisitions - 2,
      elapsedMs,
      commands,
      clientCpuUs: reports.reduce((total, report) => total + report.cpuUs, 0),
      serverCpuUs: serverCpu,
    };
  }

  stop(): void {
    for (const worker of this.workers) worker.kill();
  }
}

function nextMessage(worker: ChildProcess): Promise<WorkerMessage> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`contention worker exited (${code})`));
    worker.once('exit', onExit);
    worker.once('message', (message: WorkerMessage) => {
      worker.off('exit', onExit);
      resolve(message);
    });
  });
}
