/**
 * Every benchmarked implementation by id, in table order: the floor first, then locksmith, then the peers,
 * then the experiment.
 */
import { createDirectHandoff } from './experiments/direct-handoff.js';
import { createFloor } from './floor.js';
import { createLocksmith, createLocksmithBarging } from './locksmith.js';
import { createRedisSemaphore } from './peers/redis-semaphore.js';
import { createRedlock } from './peers/redlock.js';
import { createSesameRedlock } from './peers/sesame-redlock.js';
import type { SubjectFactory } from './subject.js';

export const SUBJECTS: Readonly<Record<string, SubjectFactory>> = {
  floor: createFloor,
  locksmith: createLocksmith,
  'locksmith-barging': createLocksmithBarging,
  'redis-semaphore': createRedisSemaphore,
  'sesame-redlock': createSesameRedlock,
  redlock: createRedlock,
  // An experiment, not a library: what a Redis-side FIFO queue with direct handoff would change.
  'direct-handoff': createDirectHandoff,
};

export type SubjectId = keyof typeof SUBJECTS;
