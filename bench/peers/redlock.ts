/** `redlock` 5.0.0-beta.2 (the ioredis-based release; 4.x targets node_redis callbacks) at its defaults. */
import Redlock from 'redlock';
import type { LockSubject } from '../subject.js';
import { createRedlockSubject } from './redlock-family.js';

export function createRedlock(url: string): Promise<LockSubject> {
  return createRedlockSubject('redlock', 'redlock', (client) => new Redlock([client]), url);
}
