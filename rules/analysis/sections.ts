import type { LockResolver } from './resolve.js';
import type { Acquisition, CriticalSection } from './types.js';

/** Where `acquisition` holds its lock (see {@link CriticalSection}), or `undefined` for unknown shapes. */
export function criticalSectionOf(acquisition: Acquisition, _resolver: LockResolver): CriticalSection | undefined {
  if (acquisition.closure) {
    const { body } = acquisition.closure;
    return {
      acquisition,
      kind: 'closure',
      guarded: true,
      body: body.type === 'BlockStatement' ? body.body : [body],
      container: acquisition.closure,
      anchor: undefined,
    };
  }
  return undefined;
}
