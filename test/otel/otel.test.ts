/**
 * `locksmith-js/otel` with the OpenTelemetry SDK's in-memory exporters, driven by real locks on the shared
 * redis-server (handoff, timeout, loss) and MemoryStore: the metrics, their attributes (name patterns and the
 * cardinality cap) and the wait spans, parented to the caller's active span.
 */
import { randomUUID } from 'node:crypto';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { context, trace, SpanStatusCode } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type DataPoint,
  type Histogram,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createLocks, LockTimeoutError, MemoryStore, RedisStore, type LockManager } from 'locksmith-js';
import { ATTRIBUTES, collapseLastSegment, instrumentLocks, METRICS, type LockInstrumentation } from 'locksmith-js/otel';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let metricExporter: InMemoryMetricExporter;
let reader: PeriodicExportingMetricReader;
let meterProvider: MeterProvider;
let spanExporter: InMemorySpanExporter;
let tracerProvider: BasicTracerProvider;
let instrumentation: LockInstrumentation | undefined;
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  contextManager.enable();
  context.setGlobalContextManager(contextManager);
});
afterAll(() => {
  context.disable();
});

beforeEach(() => {
  metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
  meterProvider = new MeterProvider({ readers: [reader] });
  spanExporter = new InMemorySpanExporter();
  tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] });
});
afterEach(async () => {
  instrumentation?.stop();
  instrumentation = undefined;
  await meterProvider.shutdown();
  await tracerProvider.shutdown();
});

/** Every data point of one metric, after a flush. */
async function points(name: string): Promise<DataPoint<unknown>[]> {
  await reader.forceFlush();
  const found: DataPoint<unknown>[] = [];
  for (const resource of metricExporter.getMetrics()) {
    for (const scope of resource.scopeMetrics) {
      for (const metric of scope.metrics) if (metric.descriptor.name === name) found.push(...metric.dataPoints);
    }
  }
  metricExporter.reset();
  return found;
}

function counted(all: DataPoint<unknown>[], attributes: Record<string, unknown>): number {
  const point = all.find((p) => JSON.stringify(p.attributes) === JSON.stringify(attributes));
  return (point?.value as number | undefined) ?? 0;
}

describe('collapseLastSegment', () => {
  it('replaces the scope and keeps names without one', () => {
    expect(collapseLastSegment('process:package:1A4')).toBe('process:package:*');
    expect(collapseLastSegment('label:generate:fac:tag')).toBe('label:generate:fac:*');
    expect(collapseLastSegment('nightly')).toBe('nightly');
  });
});

describe('locksmith-js/otel on RedisStore', () => {
  let client: Redis;
  let store: RedisStore;
  let locks: LockManager;

  beforeAll(async () => {
    client = new Redis(inject('redisUrl'));
    await client.ping();
    store = new RedisStore(client);
    locks = createLocks({ store, prefix: `test:otel:${randomUUID().slice(0, 8)}:`, timeout: 3 });
  });
  afterAll(async () => {
    await locks.close();
    client.disconnect();
  });

  it('counts acquisitions, handoffs and timeouts, and records wait and hold times, by name pattern', async () => {
    instrumentation = instrumentLocks({ meterProvider, tracerProvider });
    const holder = locks.lock('process:package:1A4', 10);
    expect(await holder.get()).toBe(true);
    const waiter = locks.lock('process:package:1A4', 10);
    const waiting = waiter.block(10);
    await expect(locks.lock('process:package:1A4', 10).block(0.1)).rejects.toBeInstanceOf(LockTimeoutError);
    await sleep(100);
    await holder.release();
    await waiting;
    await sleep(50);
    await waiter.release();
    expect(await locks.lock('process:package:9Z2', 10).get()).toBe(true);

    const pattern = { [ATTRIBUTES.name]: 'process:package:*' };
    const acquisitions = await points(METRICS.acquisitions);
    expect(counted(acquisitions, { ...pattern, [ATTRIBUTES.handoff]: false })).toBe(2);
    expect(counted(acquisitions, { ...pattern, [ATTRIBUTES.handoff]: true })).toBe(1);
    expect(counted(await points(METRICS.handoffs), pattern)).toBe(1);
    expect(counted(await points(METRICS.timeouts), pattern)).toBe(1);

    const waits = await points(METRICS.waitDuration);
    const acquiredWaits = waits.find((p) => p.attributes[ATTRIBUTES.outcome] === 'acquired')?.value as Histogram;
    const timedOut = waits.find((p) => p.attributes[ATTRIBUTES.outcome] === 'timeout')?.value as Histogram;
    expect(acquiredWaits.count).toBe(3);
    // The handed-over waiter waited at least the 100 ms the holder kept the lock after the timeout.
    expect(acquiredWaits.max).toBeGreaterThanOrEqual(0.19);
    expect(timedOut.count).toBe(1);
    expect(timedOut.min).toBeGreaterThanOrEqual(0.095);
    const holds = await points(METRICS.holdDuration);
    expect(holds).toHaveLength(1);
    expect((holds[0]?.value as Histogram).count).toBe(2);
    expect((holds[0]?.value as Histogram).min).toBeGreaterThanOrEqual(0.045);
  });

  it('records a wait span per acquisition and timeout, a child of the caller’s span, with the full name', async () => {
    instrumentation = instrumentLocks({ meterProvider, tracerProvider });
    const tracer = tracerProvider.getTracer('app');
    const name = `sync:facility:${randomUUID().slice(0, 6)}`;
    const holder = locks.lock(name, 10);
    await holder.get();
    const job = tracer.startSpan('job');
    const waiting = context.with(trace.setSpan(context.active(), job), () => locks.lock(name, 10).block(10));
    await sleep(100);
    await holder.release();
    await waiting;
    job.end();
    await expect(locks.lock(name, 10).block(0.05)).rejects.toBeInstanceOf(LockTimeoutError);

    const waits = spanExporter.getFinishedSpans().filter((span) => span.name === 'locksmith.lock.wait');
    expect(waits).toHaveLength(3);
    const handed = waits.find((span) => span.attributes[ATTRIBUTES.handoff] === true);
    expect(handed?.attributes[ATTRIBUTES.name]).toBe(name);
    expect(handed?.parentSpanContext?.spanId).toBe(job.spanContext().spanId);
    expect(handed?.spanContext().traceId).toBe(job.spanContext().traceId);
    const durationMs = (handed?.duration[0] ?? 0) * 1_000 + (handed?.duration[1] ?? 0) / 1e6;
    expect(durationMs).toBeGreaterThanOrEqual(90);
    const timeout = waits.find((span) => span.attributes[ATTRIBUTES.outcome] === 'timeout');
    expect(timeout?.status.code).toBe(SpanStatusCode.ERROR);
    expect(timeout?.parentSpanContext).toBeUndefined();
  });

  it('counts lost locks by reason', async () => {
    instrumentation = instrumentLocks({ meterProvider, tracerProvider, spans: false });
    await locks.lock('import:batch:7', 0.2).get(({ signal }) => new Promise((resolve) => signal.addEventListener('abort', resolve)));
    expect(counted(await points(METRICS.lost), { [ATTRIBUTES.name]: 'import:batch:*', [ATTRIBUTES.reason]: 'expired' })).toBe(1);
    expect(spanExporter.getFinishedSpans()).toEqual([]);
  });

  it('stop() unsubscribes: later locks record nothing', async () => {
    instrumentation = instrumentLocks({ meterProvider, tracerProvider });
    instrumentation.stop();
    const lock = locks.lock('quiet:lock:1', 10);
    await lock.get();
    await lock.release();
    expect(await points(METRICS.acquisitions)).toEqual([]);
    expect(spanExporter.getFinishedSpans()).toEqual([]);
  });
});

describe('locksmith-js/otel: the cardinality guard', () => {
  it('caps distinct name patterns and reports the rest as other; a throwing pattern function is other too', async () => {
    instrumentation = instrumentLocks({
      meterProvider,
      tracerProvider,
      maxPatterns: 3,
      namePattern: (name) => {
        if (name.startsWith('bad')) throw new Error('no pattern');
        return name; // lets ids through: the cap must hold anyway
      },
    });
    const locks = createLocks({ store: new MemoryStore() });
    for (let i = 0; i < 50; i++) {
      const lock = locks.lock(`order:${i}`, 10);
      await lock.get();
      await lock.release();
    }
    await locks.lock('bad:name', 10).get();
    const acquisitions = await points(METRICS.acquisitions);
    const values = new Set(acquisitions.map((p) => p.attributes[ATTRIBUTES.name]));
    expect(values).toEqual(new Set(['order:0', 'order:1', 'order:2', 'other']));
    expect(counted(acquisitions, { [ATTRIBUTES.name]: 'other', [ATTRIBUTES.handoff]: false })).toBe(48);
    await locks.close();
  });

  it('the default pattern collapses ids', async () => {
    instrumentation = instrumentLocks({ meterProvider, tracerProvider });
    const locks = createLocks({ store: new MemoryStore() });
    for (let i = 0; i < 20; i++) await locks.lock(`label:generate:${i}`, 10).get();
    const acquisitions = await points(METRICS.acquisitions);
    expect(acquisitions.map((p) => p.attributes[ATTRIBUTES.name])).toEqual(['label:generate:*']);
    expect(counted(acquisitions, { [ATTRIBUTES.name]: 'label:generate:*', [ATTRIBUTES.handoff]: false })).toBe(20);
    await locks.close();
  });

  it('rejects a bad cap', () => {
    expect(() => instrumentLocks({ maxPatterns: 0 })).toThrow(RangeError);
  });
});
