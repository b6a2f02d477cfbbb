/**
 * `locksmith-js/otel`: OpenTelemetry metrics and spans from the lock events (`locksmith:*` on
 * node:diagnostics_channel, see `src/events.ts`). Needs `@opentelemetry/api` (an optional peer dependency)
 * and an SDK the application sets up; without a registered SDK every instrument is a no-op.
 *
 * ```ts
 * import { instrumentLocks } from 'locksmith-js/otel';
 * const instrumentation = instrumentLocks();   // global meter and tracer providers
 * // … on shutdown: instrumentation.stop();
 * ```
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import {
  context,
  metrics,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type MeterProvider,
  type TracerProvider,
} from '@opentelemetry/api';
import {
  LOCK_ACQUIRED,
  LOCK_LOST,
  LOCK_RELEASED,
  LOCK_STORE_ERROR,
  LOCK_TIMEOUT,
  type LockAcquiredEvent,
  type LockLostEvent,
  type LockReleasedEvent,
  type LockStoreErrorEvent,
  type LockTimeoutEvent,
} from '../events.js';
import { collapseLastSegment, NamePatterns, OTHER_PATTERN } from './name-patterns.js';

export { collapseLastSegment, OTHER_PATTERN };

/** Options of {@link instrumentLocks}. */
export interface LockInstrumentationOptions {
  /** Where the metrics go; the global provider (`metrics.setGlobalMeterProvider`) by default. */
  readonly meterProvider?: MeterProvider;
  /** Where the wait spans go; the global provider by default. */
  readonly tracerProvider?: TracerProvider;
  /**
   * Maps a lock name to the value of the `locksmith.lock.name` metric attribute. Default
   * {@link collapseLastSegment} (`import:batch:42` → `import:batch:*`). Spans carry the full name.
   */
  readonly namePattern?: (name: string) => string;
  /** Distinct patterns kept before further ones are reported as `other`. Default 100. */
  readonly maxPatterns?: number;
  /** Record a span for every `block()`/`get()` acquisition and timeout (default `true`). */
  readonly spans?: boolean;
}

/** A running instrumentation: {@link LockInstrumentation.stop} unsubscribes it. */
export interface LockInstrumentation {
  stop(): void;
}

/** Instrument names, units and attribute keys (public: dashboards and tests refer to them). */
export const METRICS = {
  waitDuration: 'locksmith.lock.wait.duration',
  holdDuration: 'locksmith.lock.hold.duration',
  acquisitions: 'locksmith.lock.acquisitions',
  handoffs: 'locksmith.lock.handoffs',
  timeouts: 'locksmith.lock.timeouts',
  lost: 'locksmith.lock.lost',
  storeErrors: 'locksmith.lock.store_errors',
} as const;

export const ATTRIBUTES = {
  /** The name pattern (metrics) or the full name (spans). */
  name: 'locksmith.lock.name',
  /** `acquired` or `timeout` (wait histogram, spans). */
  outcome: 'locksmith.lock.outcome',
  /** Whether a release handed the lock over (acquisitions, spans). */
  handoff: 'locksmith.lock.handoff',
  /** Why a lock was lost (lost counter). */
  reason: 'locksmith.lock.lost_reason',
  /** The failing store operation (store errors). */
  operation: 'locksmith.store.operation',
} as const;

const INSTRUMENTATION_NAME = 'locksmith-js';
/** Seconds: from a sub-millisecond handoff to a five-minute batch lock. */
const DURATION_BUCKETS = [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/**
 * Subscribes to the lock events and records:
 * - `locksmith.lock.wait.duration` (histogram, s; `outcome` acquired|timeout) and
 *   `locksmith.lock.hold.duration` (histogram, s);
 * - counters `locksmith.lock.acquisitions` (`handoff`), `locksmith.lock.handoffs`, `locksmith.lock.timeouts`,
 *   `locksmith.lock.lost` (`lost_reason`), `locksmith.lock.store_errors` (`operation`);
 * - a span `locksmith.lock.wait` per acquisition or timeout, from the call of `get()`/`block()` to its end,
 *   a child of the caller's active span.
 *
 * Metric attributes name the lock by pattern ({@link LockInstrumentationOptions.namePattern}), with at most
 * `maxPatterns` distinct values plus `other`.
 */
export function instrumentLocks(options: LockInstrumentationOptions = {}): LockInstrumentation {
  const maxPatterns = options.maxPatterns ?? 100;
  if (!Number.isInteger(maxPatterns) || maxPatterns < 1) {
    throw new RangeError(`locksmith: maxPatterns must be a whole number ≥ 1, got ${String(maxPatterns)}`);
  }
  if (options.namePattern !== undefined && typeof options.namePattern !== 'function') {
    throw new TypeError('locksmith: namePattern must be a function');
  }
  const patterns = new NamePatterns(options.namePattern ?? collapseLastSegment, maxPatterns);
  const meter = (options.meterProvider ?? metrics).getMeter(INSTRUMENTATION_NAME);
  const tracer = options.spans === false ? undefined : (options.tracerProvider ?? trace).getTracer(INSTRUMENTATION_NAME);
  const seconds = { unit: 's', advice: { explicitBucketBoundaries: DURATION_BUCKETS } };
  const wait = meter.createHistogram(METRICS.waitDuration, { description: 'Time from get()/block() to acquisition or timeout', ...seconds });
  const hold = meter.createHistogram(METRICS.holdDuration, { description: 'Time from acquisition to release', ...seconds });
  const acquisitions = meter.createCounter(METRICS.acquisitions, { description: 'Locks acquired', unit: '{acquisition}' });
  const handoffs = meter.createCounter(METRICS.handoffs, { description: 'Locks handed to a queued waiter by a release', unit: '{handoff}' });
  const timeouts = meter.createCounter(METRICS.timeouts, { description: 'block() calls that gave up', unit: '{timeout}' });
  const lost = meter.createCounter(METRICS.lost, { description: 'Locks lost while a closure held them', unit: '{loss}' });
  const storeErrors = meter.createCounter(METRICS.storeErrors, { description: 'Failed store calls', unit: '{error}' });

  const named = (name: string, extra?: Attributes): Attributes => ({ [ATTRIBUTES.name]: patterns.of(name), ...extra });

  const waitSpan = (name: string, waitedMs: number, attributes: Attributes, failed: boolean): void => {
    if (!tracer) return;
    const end = Date.now();
    // Published synchronously at the end of the wait, in the caller's async context: its active span is
    // the parent.
    const span = tracer.startSpan(
      'locksmith.lock.wait',
      { kind: SpanKind.INTERNAL, startTime: end - waitedMs, attributes: { [ATTRIBUTES.name]: name, ...attributes } },
      context.active(),
    );
    if (failed) span.setStatus({ code: SpanStatusCode.ERROR, message: 'timed out' });
    span.end(end);
  };

  const handlers: [string, (message: unknown) => void][] = [
    [
      LOCK_ACQUIRED,
      (message) => {
        const event = message as LockAcquiredEvent;
        wait.record(event.waitedMs / 1_000, named(event.name, { [ATTRIBUTES.outcome]: 'acquired' }));
        acquisitions.add(1, named(event.name, { [ATTRIBUTES.handoff]: event.handoff }));
        if (event.handoff) handoffs.add(1, named(event.name));
        waitSpan(event.name, event.waitedMs, { [ATTRIBUTES.outcome]: 'acquired', [ATTRIBUTES.handoff]: event.handoff }, false);
      },
    ],
    [
      LOCK_RELEASED,
      (message) => {
        const event = message as LockReleasedEvent;
        if (event.heldMs !== undefined) hold.record(event.heldMs / 1_000, named(event.name));
      },
    ],
    [
      LOCK_TIMEOUT,
      (message) => {
        const event = message as LockTimeoutEvent;
        wait.record(event.waitedMs / 1_000, named(event.name, { [ATTRIBUTES.outcome]: 'timeout' }));
        timeouts.add(1, named(event.name));
        waitSpan(event.name, event.waitedMs, { [ATTRIBUTES.outcome]: 'timeout' }, true);
      },
    ],
    [
      LOCK_LOST,
      (message) => {
        const event = message as LockLostEvent;
        lost.add(1, named(event.name, { [ATTRIBUTES.reason]: event.reason }));
      },
    ],
    [
      LOCK_STORE_ERROR,
      (message) => {
        const event = message as LockStoreErrorEvent;
        storeErrors.add(1, named(event.name, { [ATTRIBUTES.operation]: event.operation }));
      },
    ],
  ];
  for (const [channel, handler] of handlers) subscribe(channel, handler);
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      for (const [channel, handler] of handlers) unsubscribe(channel, handler);
    },
  };
}
