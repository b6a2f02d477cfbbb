/**
 * The words rules use for a library's locks, so that a message about a redlock or async-mutex lock speaks that
 * library's vocabulary and units. Rules pass these as message data.
 */
import { formatSeconds } from '../../src/duration.js';
import { VOCABULARIES, type LibraryId } from './libraries.js';

/** How long an unreleased lock of `library` stays held: its TTL, or (async-mutex) as long as the process lives. */
export function heldUntil(library: LibraryId): string {
  switch (library) {
    case 'async-mutex':
      return 'for as long as the process lives (an async-mutex has no TTL)';
    case 'redis-semaphore':
      return 'while this process keeps refreshing it, then until its lockTimeout expires';
    default:
      return 'until its TTL expires';
  }
}

/** What to use instead of an unchecked one-attempt acquire, in the library's words. */
export function tryAlternative(library: LibraryId): string {
  const { acquire, closure } = VOCABULARIES[library];
  return closure ? `\`${acquire}()\` or the closure form` : `\`${acquire}()\`, which waits and throws when it cannot acquire`;
}

/** A duration in the library's unit: `'30s'` for locksmith, `'30000 ms'` for the millisecond libraries. */
export function formatDuration(ms: number, library: LibraryId): string {
  if (ms === Number.POSITIVE_INFINITY) return 'no end';
  return VOCABULARIES[library].unit === 'seconds' ? formatSeconds(ms) : `${ms} ms`;
}

/** The release statement a fix may add for a lock the code holds as `lockText` (or its async-mutex releaser). */
export function releaseStatement(library: LibraryId, lockText: string, releaser: string | undefined): string {
  if (library === 'async-mutex') return releaser ? `${releaser}();` : `${lockText}.release();`;
  return `await ${lockText}.release();`;
}
