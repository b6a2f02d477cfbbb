/**
 * What the lock events cost: the uncontended acquire + release cycle with no subscriber on the `locksmith:*`
 * channels (publishing is skipped) and with one subscriber on each (every cycle publishes `acquired` and
 * `released`). Rounds alternate between the two so that load from elsewhere lands on both.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { LockSubject } from '../subject.js';
import { summarize, uncontendedSamples, type UncontendedResult } from './uncontended.js';

const CHANNELS = ['locksmith:acquired', 'locksmith:released', 'locksmith:timeout', 'locksmith:lost', 'locksmith:store-error'];

export interface EventsOverheadResult {
  readonly subject: string;
  readonly version: string;
  readonly without: UncontendedResult;
  readonly with: UncontendedResult;
  /** Events the subscriber received: proves it was attached (two per cycle). */
  readonly received: number;
}

export async function measureEventsOverhead(subject: LockSubject, cycles: number, rounds = 10): Promise<EventsOverheadResult> {
  let received = 0;
  const handler = (): void => void received++;
  const attach = (): void => CHANNELS.forEach((channel) => subscribe(channel, handler));
  const detach = (): void => CHANNELS.forEach((channel) => unsubscribe(channel, handler));
  const without: number[] = [];
  const withSubscriber: number[] = [];
  const per = Math.ceil(cycles / rounds);
  await uncontendedSamples(subject, 0, 300);
  attach();
  await uncontendedSamples(subject, 0, 300);
  detach();
  received = 0;
  for (let round = 0; round < rounds; round++) {
    without.push(...(await uncontendedSamples(subject, per)));
    attach();
    try {
      withSubscriber.push(...(await uncontendedSamples(subject, per)));
    } finally {
      detach();
    }
  }
  return { subject: subject.id, version: subject.version, without: summarize(without), with: summarize(withSubscriber), received };
}

/** The Markdown/console table: one row per subject, without vs with a subscriber. */
export function eventsOverheadTable(results: readonly EventsOverheadResult[]): string {
  const us = (ms: number): string => `${(ms * 1_000).toFixed(1)} µs`;
  const rows = results.map((r) => {
    const delta = r.with.p50Ms - r.without.p50Ms;
    return `| ${r.subject} | ${r.without.cycles} | ${us(r.without.p50Ms)} | ${us(r.with.p50Ms)} | ${delta >= 0 ? '+' : ''}${us(delta)} | ${us(r.without.meanMs)} | ${us(r.with.meanMs)} | ${us(r.without.p99Ms)} | ${us(r.with.p99Ms)} | ${r.received} |`;
  });
  return [
    '| subject | cycles each | p50 no subscriber | p50 subscribed | p50 difference | mean no subscriber | mean subscribed | p99 no subscriber | p99 subscribed | events received |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}
