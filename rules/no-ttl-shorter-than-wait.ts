import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';
import { formatSeconds } from '../src/duration.js';
import { keyName, methodCallLoc, skipTypeWrappers } from './analysis/ast.js';
import { getLockAnalysis, type LibraryId, type LockCreation } from './analysis/index.js';
import { formatDuration } from './analysis/wording.js';
import { getStaticDurationMs, getStaticValue } from './analysis/static-values.js';
import { createRule } from './utils.js';

export type Options = [{ allowEqual?: boolean }];
export type MessageIds = 'ttlShorterThanWait' | 'ttlEqualsWait' | 'libraryTtlShorterThanWait' | 'libraryTtlEqualsWait';

/**
 * Whether the creation's options may turn on `autoExtend` (which renews the TTL while the lock is held, so a
 * short TTL is no longer a bet on the operation's length). Unknown options count as "may".
 */
function mayAutoExtend(creation: LockCreation, scope: Parameters<typeof getStaticValue>[1]): boolean {
  const options = creation.call.arguments[2];
  if (!options) return false;
  const object = skipTypeWrappers(options);
  if (object.type !== AST_NODE_TYPES.ObjectExpression) return true;
  for (const property of object.properties) {
    if (property.type !== AST_NODE_TYPES.Property) return true;
    const key = keyName(property.key, property.computed);
    if (key === undefined) return true;
    if (key !== 'autoExtend') continue;
    const value = getStaticValue(property.value as TSESTree.Expression, scope);
    if (!value || value.value) return true;
  }
  return false;
}

/** What to do about it, in each library's terms. */
const LIBRARY_REMEDIES: Partial<Record<LibraryId, string>> = {
  redlock:
    'Give the lock a TTL longer than the longest operation it guards, wait less (fewer retries), or use `redlock.using()`, which extends the lock while the routine runs.',
  'redis-semaphore':
    'Give it a `lockTimeout` longer than its `acquireTimeout`, or leave auto-refresh on (drop `refreshInterval: 0`).',
};

export default createRule<Options, MessageIds>({
  name: 'no-ttl-shorter-than-wait',
  meta: {
    type: 'problem',
    docs: {
      description: "Disallow waiting for a lock longer than the lock's own TTL",
      recommended: 'recommended',
    },
    schema: [
      {
        type: 'object',
        properties: {
          allowEqual: {
            type: 'boolean',
            description: 'Whether a TTL equal to the wait is accepted.',
          },
        },
        additionalProperties: false,
      },
    ],
    defaultOptions: [{ allowEqual: true }],
    messages: {
      ttlShorterThanWait:
        "This lock's TTL ({{ttl}}) is shorter than the wait ({{wait}}): a holder may work that long, and the lock expires under it, letting a second process in. Give the lock a TTL longer than the longest operation it guards (or use autoExtend).",
      ttlEqualsWait:
        "This lock's TTL ({{ttl}}) equals the wait ({{wait}}): a holder working as long as you are prepared to wait loses the lock at the end. Give the lock a TTL longer than the wait (or use autoExtend).",
      libraryTtlShorterThanWait:
        "This lock's TTL ({{ttl}}) is shorter than its wait ({{wait}}: {{waitSource}}): a holder may work that long, and the lock expires under it, letting a second process in. {{remedy}}",
      libraryTtlEqualsWait:
        "This lock's TTL ({{ttl}}) equals its wait ({{wait}}: {{waitSource}}): a holder working as long as you are prepared to wait loses the lock at the end. {{remedy}}",
    },
  },
  create(context, [{ allowEqual }]) {
    return {
      'Program:exit'() {
        const analysis = getLockAnalysis(context);
        for (const creation of analysis.creations) {
          const timing = analysis.timingOf(creation);
          if (!timing) continue;
          const shorter = timing.ttl < timing.wait;
          if (!shorter && !(timing.ttl === timing.wait && !allowEqual)) continue;
          const { call } = creation;
          context.report({
            // redlock's `acquire(…)` from the method name; redis-semaphore's `new Mutex(…)` whole.
            loc: call.type === AST_NODE_TYPES.CallExpression ? methodCallLoc(call) : call.loc,
            messageId: shorter ? 'libraryTtlShorterThanWait' : 'libraryTtlEqualsWait',
            data: {
              ttl: formatDuration(timing.ttl, creation.library),
              wait: formatDuration(timing.wait, creation.library),
              waitSource: timing.waitSource,
              remedy: LIBRARY_REMEDIES[creation.library] ?? '',
            },
          });
        }
        for (const acquisition of analysis.acquisitions) {
          if (acquisition.method !== 'block' || !acquisition.duration) continue;
          const wait = getStaticDurationMs(acquisition.duration, context.sourceCode.getScope(acquisition.duration));
          if (wait === undefined) continue;

          // Every way the lock can have been created must be known and too short (a lock from a parameter has none).
          const { creations } = acquisition.lock;
          if (creations.length === 0) continue;
          let longestTtl = 0;
          let known = true;
          for (const creation of creations) {
            const scope = context.sourceCode.getScope(creation.call);
            // restoreLock() does not know the TTL the lock was taken with; ttl 0 (or none) never expires.
            const ttl = creation.kind === 'lock' && creation.ttl ? getStaticDurationMs(creation.ttl, scope) : undefined;
            if (creation.kind !== 'lock' || ttl === undefined || ttl === 0 || mayAutoExtend(creation, scope)) {
              known = false;
              break;
            }
            longestTtl = Math.max(longestTtl, ttl);
          }
          if (!known) continue;
          const shorter = longestTtl < wait;
          const equal = longestTtl === wait && !allowEqual;
          if (!shorter && !equal) continue;

          context.report({
            loc: methodCallLoc(acquisition.call),
            messageId: shorter ? 'ttlShorterThanWait' : 'ttlEqualsWait',
            data: { ttl: formatSeconds(longestTtl), wait: formatSeconds(wait) },
          });
        }
      },
    };
  },
});
