import type { Acquisition, LockAnalysis, Protection } from './types.js';

/** Whether and how `acquisition`'s lock is released on every path (see {@link Protection}). */
export function protectionOf(acquisition: Acquisition, _analysis: LockAnalysis): Protection {
  if (acquisition.callback) return { kind: 'callback' };
  if (acquisition.lock.disposed) return { kind: 'disposed' };
  return { kind: 'unprotected', problem: 'noRelease', releases: [], tryStatement: undefined };
}
