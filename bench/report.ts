/**
 * Turns one run's measurements into the console summary and `bench/RESULTS.md`: one column per subject, one
 * row per metric, each value with its ratio to the raw floor, then issue 5's targets checked for locksmith.
 */
import type { Machine } from './machine.js';
import type { ContentionResult } from './metrics/contention.js';
import { eventsOverheadTable, type EventsOverheadResult } from './metrics/events-overhead.js';
import type { HandoffResult } from './metrics/handoff.js';
import type { HandoffCostResult } from './metrics/handoff-cost.js';
import type { ThroughputResult } from './metrics/throughput.js';
import type { UncontendedResult } from './metrics/uncontended.js';
import type { WaitersResult } from './metrics/waiters.js';

export interface SubjectResults {
  readonly id: string;
  version: string;
  readonly waiting: string;
  uncontended?: UncontendedResult;
  throughput?: ThroughputResult;
  handoff?: HandoffResult;
  handoffCost?: HandoffCostResult;
  contention?: ContentionResult;
  idle?: WaitersResult;
  waiters?: WaitersResult;
  readonly errors: string[];
}

export interface RunResults {
  readonly machine: Machine;
  /** PING after a 5-25 ms idle pause: the unit a handoff's hops are paid in on this machine. */
  readonly coldRoundTrip?: { readonly p50Ms: number; readonly p99Ms: number };
  readonly quick: boolean;
  readonly durationS: number;
  readonly subjects: readonly SubjectResults[];
  /** The uncontended cycle without and with a subscriber on the lock events (locksmith only). */
  readonly events?: readonly EventsOverheadResult[];
}

type Direction = 'lower' | 'higher' | 'none';

interface Row {
  readonly label: string;
  readonly direction: Direction;
  readonly value: (s: SubjectResults) => number | undefined;
  readonly format: (n: number) => string;
  readonly note?: (s: SubjectResults) => string | undefined;
}

const ms = (n: number): string => (n < 1 ? n.toFixed(3) : n < 100 ? n.toFixed(2) : n.toFixed(0)) + ' ms';
const count = (n: number): string => (n >= 100 ? Math.round(n).toLocaleString('en-US') : Number(n.toFixed(2)).toString());
/** Two decimals: a per-waiter heap target can sit within a few hundredths of a KiB of what is measured. */
const bytes = (n: number): string => (n >= 1024 ? `${(n / 1024).toFixed(2)} KiB` : `${Math.round(n)} B`);

const ROWS: readonly Row[] = [
  { label: 'uncontended cycle p50', direction: 'lower', value: (s) => s.uncontended?.p50Ms, format: ms },
  { label: 'uncontended cycle p99', direction: 'lower', value: (s) => s.uncontended?.p99Ms, format: ms },
  {
    label: 'throughput, 50 workers, many keys (cycles/s)',
    direction: 'higher',
    value: (s) => s.throughput?.cyclesPerSecond,
    format: count,
  },
  { label: 'handoff p50 (release → waiter acquires)', direction: 'lower', value: (s) => s.handoff?.p50Ms, format: ms },
  {
    label: 'handoff p99',
    direction: 'lower',
    value: (s) => s.handoff?.p99Ms,
    format: ms,
    note: (s) => (s.handoff ? `n=${s.handoff.samples}${s.handoff.missed ? `, ${s.handoff.missed} gave up` : ''}` : undefined),
  },
  {
    label: 'requests per handoff, 10 waiters (round trips)',
    direction: 'lower',
    value: (s) => s.handoffCost?.requestsPerHandoff,
    format: count,
    note: (s) => s.handoffCost?.breakdown,
  },
  {
    label: 'commands per handoff (commandstats, incl. Lua-internal)',
    direction: 'lower',
    value: (s) => s.handoffCost?.commandsPerHandoff,
    format: count,
  },
  {
    label: 'contention, 8 processes: acquisitions/s',
    direction: 'higher',
    value: (s) => s.contention?.acquisitionsPerSecond,
    format: count,
    note: (s) => (s.contention?.gaveUp ? `${s.contention.gaveUp} acquires gave up` : undefined),
  },
  { label: 'contention: lost updates', direction: 'none', value: (s) => s.contention?.lostUpdates, format: count },
  {
    label: 'contention: fairness (min/max per process)',
    direction: 'none',
    value: (s) => s.contention?.fairness,
    format: (n) => n.toFixed(2),
    note: (s) => s.contention?.perProcess.join('/'),
  },
  {
    label: 'contention: lock commands per acquisition',
    direction: 'lower',
    value: (s) => s.contention?.commandsPerAcquisition,
    format: count,
  },
  {
    label: '100 waiters blocked: commands/s',
    direction: 'lower',
    value: (s) => s.idle?.commandsPerSecond,
    format: count,
    note: (s) => s.idle?.breakdown,
  },
  {
    label: '10,000 waiters blocked: commands/s',
    direction: 'lower',
    value: (s) => s.waiters?.commandsPerSecond,
    format: count,
    note: (s) => s.waiters && `${s.waiters.breakdown}${s.waiters.gaveUp ? `; ${s.waiters.gaveUp} gave up` : ''}`,
  },
  {
    label: '10,000 waiters: heap per waiter',
    direction: 'lower',
    value: (s) => s.waiters?.heapBytesPerWaiter,
    format: bytes,
  },
  { label: '10,000 waiters: Redis connections', direction: 'none', value: (s) => s.waiters?.connections, format: count },
];

function cell(row: Row, subject: SubjectResults, floor: SubjectResults | undefined): string {
  const value = row.value(subject);
  if (value === undefined || Number.isNaN(value)) return '–';
  let text = row.format(value);
  const base = floor ? row.value(floor) : undefined;
  if (row.direction !== 'none' && subject.id !== 'floor' && base !== undefined && base > 0 && Number.isFinite(base)) {
    text += ` (${(value / base).toFixed(2)}×)`;
  }
  const note = row.note?.(subject);
  if (note) text += ` <sub>${note}</sub>`;
  return text;
}

/** The metrics table as Markdown. */
export function table(results: RunResults): string {
  const floor = results.subjects.find((s) => s.id === 'floor');
  const header = `| metric | ${results.subjects.map((s) => s.id).join(' | ')} |`;
  const rule = `| --- | ${results.subjects.map(() => '---').join(' | ')} |`;
  const lines = ROWS.map((row) => `| ${row.label} | ${results.subjects.map((s) => cell(row, s, floor)).join(' | ')} |`);
  return [header, rule, ...lines].join('\n');
}

interface Target {
  readonly name: string;
  readonly check: (s: SubjectResults, floor: SubjectResults | undefined) => { met: boolean; measured: string } | undefined;
}

const TARGETS: readonly Target[] = [
  {
    name: 'handoff p50 ≤ 0.3 ms',
    check: (s) => s.handoff && { met: s.handoff.p50Ms <= 0.3, measured: ms(s.handoff.p50Ms) },
  },
  {
    name: 'handoff p99 ≤ 1 ms',
    check: (s) => s.handoff && { met: s.handoff.p99Ms <= 1, measured: ms(s.handoff.p99Ms) },
  },
  {
    name: 'uncontended cycle ≤ 1.1× floor (p50)',
    check: (s, f) =>
      s.uncontended && f?.uncontended && {
        met: s.uncontended.p50Ms <= 1.1 * f.uncontended.p50Ms,
        measured: `${(s.uncontended.p50Ms / f.uncontended.p50Ms).toFixed(3)}×`,
      },
  },
  {
    name: 'contention acquisitions/s ≥ floor',
    check: (s, f) =>
      s.contention && f?.contention && {
        met: s.contention.acquisitionsPerSecond >= f.contention.acquisitionsPerSecond,
        measured: `${(s.contention.acquisitionsPerSecond / f.contention.acquisitionsPerSecond).toFixed(2)}×`,
      },
  },
  {
    name: 'contention fairness ≥ 0.8',
    check: (s) => s.contention && { met: s.contention.fairness >= 0.8, measured: s.contention.fairness.toFixed(2) },
  },
  {
    name: 'contention: 0 lost updates',
    check: (s) => s.contention && { met: s.contention.lostUpdates === 0, measured: String(s.contention.lostUpdates) },
  },
  {
    name: '≤ 2 Redis requests per waiter per handoff (10 waiters)',
    check: (s) =>
      s.handoffCost && {
        met: s.handoffCost.requestsPerHandoff / s.handoffCost.waiters <= 2,
        measured: `${(s.handoffCost.requestsPerHandoff / s.handoffCost.waiters).toFixed(2)} per waiter; ${count(s.handoffCost.requestsPerHandoff)} per handoff (${s.handoffCost.breakdown})`,
      },
  },
  {
    name: 'a handoff costs ≤ 2 requests in all (release + one acquire)',
    check: (s) =>
      s.handoffCost && {
        met: s.handoffCost.requestsPerHandoff <= 2,
        measured: `${count(s.handoffCost.requestsPerHandoff)} per handoff`,
      },
  },
  {
    name: '10,000 waiters use 2 Redis connections',
    check: (s) => s.waiters && { met: s.waiters.connections <= 2, measured: String(s.waiters.connections) },
  },
];

/** Issue 5's targets, checked for locksmith. */
export function targets(results: RunResults): string {
  const subject = results.subjects.find((s) => s.id === 'locksmith');
  const floor = results.subjects.find((s) => s.id === 'floor');
  if (!subject) return '_locksmith was not measured in this run._';
  const lines = TARGETS.map((target) => {
    const verdict = target.check(subject, floor);
    if (!verdict) return `| ${target.name} | not measured | – |`;
    return `| ${target.name} | ${verdict.measured} | ${verdict.met ? 'met' : '**missed**'} |`;
  });
  return ['| target (issue 5) | locksmith | |', '| --- | --- | --- |', ...lines].join('\n');
}

export function markdown(results: RunResults): string {
  const m = results.machine;
  const versions = results.subjects.map((s) => `- \`${s.id}\`: ${s.version} — waiting: ${s.waiting}`).join('\n');
  const errors = results.subjects
    .flatMap((s) => s.errors.map((error) => `- \`${s.id}\`: ${error}`))
    .join('\n');
  return `# Benchmark results

Produced by \`npm run bench${results.quick ? ' -- --quick' : ''}\` (${results.durationS.toFixed(0)} s). Regenerate with
the same command; see [README.md](README.md) for what each metric means.

**Machine:** ${m.nproc} cores (\`nproc\`), ${m.cpu}; Node ${m.node}; redis-server ${m.redis} on loopback, started by
the benchmark; ioredis ${m.ioredis}; ${m.date}; 1-minute load average at the start: ${m.load.toFixed(1)}.

**Subjects:**
${versions}

${
  results.coldRoundTrip
    ? `**Reference round trip:** a PING sent after a 5-25 ms idle pause (as in a handoff sample) takes p50 ${ms(results.coldRoundTrip.p50Ms)}, p99 ${ms(results.coldRoundTrip.p99Ms)} on this machine; back-to-back commands are faster (see the floor's uncontended cycle, two round trips).\n\n`
    : ''
}Ratios in parentheses are to the raw floor (same metric, same run). Lower is better for latencies, commands and
memory; higher for throughput.

${table(results)}

## Issue 5 targets

${targets(results)}
${
  results.events
    ? `\n## Lock events: the uncontended cycle without and with a subscriber\n\n${eventsOverheadTable(results.events)}\n`
    : ''
}${errors ? `\n## Errors in this run\n\n${errors}\n` : ''}`;
}
