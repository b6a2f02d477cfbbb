/** `@sesamecare-oss/redlock` (maintained TypeScript fork of redlock) at its defaults. */
import { Redlock } from '@sesamecare-oss/redlock';
import type { Redis } from 'ioredis';
import type { LockSubject } from '../subject.js';
import { createRedlockSubject } from './redlock-family.js';

export function createSesameRedlock(url: string): Promise<LockSubject> {
  return createRedlockSubject('sesame-redlock', '@sesamecare-oss/redlock', (client) => new Redlock([client as Redis]), url);
}
