/** Every benchmarked implementation by id, in table order: the floor first, then locksmith, then the peers. */
import { createFloor } from './floor.js';
import { createLocksmith } from './locksmith.js';
import { createRedisSemaphore } from './peers/redis-semaphore.js';
import { createRedlock } from './peers/redlock.js';
import { createSesameRedlock } from './peers/sesame-redlock.js';
import type { SubjectFactory } from './subject.js';

export const SUBJECTS: Readonly<Record<string, SubjectFactory>> = {
  floor: createFloor,
  locksmith: createLocksmith,
  'redis-semaphore': createRedisSemaphore,
  'sesame-redlock': createSesameRedlock,
  redlock: createRedlock,
};

export type SubjectId = keyof typeof SUBJECTS;
