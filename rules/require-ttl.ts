import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import { methodCallLoc, propertyName } from './analysis/ast.js';
import { getLockAnalysis, type LockCreation } from './analysis/index.js';
import { getLockNameShape, getStaticDurationMs } from './analysis/static-values.js';
import { createRule } from './utils.js';

export type Options = [{ allowNames?: string[]; allowExplicitZero?: boolean }];
export type MessageIds = 'noTtl' | 'zeroTtl';

/** Stands for a run-time piece of a name: only a `*` of a pattern matches it. */
const DYNAMIC = '\u0000';

/** `leader:*` → a regular expression where `*` matches anything (run-time pieces included) and nothing else is special. */
function namePattern(pattern: string): RegExp {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^]*');
  return new RegExp(`^${source}$`);
}

/**
 * `Cache.lock(key).forceRelease()`, `locks.lock(key).isLocked()`: a handle used once, straight off its creation,
 * for something that does not acquire never holds the lock, so it needs no TTL.
 */
function usedOnlyWithoutAcquiring(creation: LockCreation): boolean {
  const member = creation.call.parent;
  if (member?.type !== AST_NODE_TYPES.MemberExpression || member.object !== creation.call) return false;
  const call = member.parent;
  if (call?.type !== AST_NODE_TYPES.CallExpression || call.callee !== member) return false;
  const method = propertyName(member);
  return method !== undefined && NON_ACQUIRING.has(method);
}

const NON_ACQUIRING: ReadonlySet<string> = new Set(['forceRelease', 'release', 'isLocked', 'isOwnedByCurrentProcess']);

export default createRule<Options, MessageIds>({
  name: 'require-ttl',
  meta: {
    type: 'problem',
    docs: {
      description: 'Require every lock to have a TTL: a lock without one is held forever if its process dies',
      recommended: 'strict',
    },
    schema: [
      {
        type: 'object',
        properties: {
          allowNames: {
            type: 'array',
            items: { type: 'string' },
            uniqueItems: true,
            description:
              'Lock names that may live without a TTL, as patterns where `*` matches any text (and is the only thing that matches a run-time piece of a name): `leader:*`.',
          },
          allowExplicitZero: {
            type: 'boolean',
            description: 'Whether an explicit TTL `0` counts as a decision (not reported); an omitted TTL always is.',
          },
        },
        additionalProperties: false,
      },
    ],
    defaultOptions: [{ allowNames: [], allowExplicitZero: false }],
    messages: {
      noTtl:
        'This lock has no TTL, so it never expires: if its process dies while holding it, nobody gets it again until someone force-releases it. Give it a TTL longer than the work it guards (`lock(name, 30)`).',
      zeroTtl:
        'This lock has TTL 0, so it never expires: if its process dies while holding it, nobody gets it again until someone force-releases it. Give it a TTL longer than the work it guards.',
    },
  },
  create(context, [{ allowNames, allowExplicitZero }]) {
    const allowed = (allowNames ?? []).map(namePattern);

    function isAllowed(creation: LockCreation): boolean {
      if (allowed.length === 0 || !creation.name) return false;
      const shape = getLockNameShape(creation.name, context.sourceCode.getScope(creation.name));
      const name = shape.parts.map((part) => (part.kind === 'text' ? part.value : DYNAMIC)).join('');
      return allowed.some((pattern) => pattern.test(name));
    }

    return {
      'Program:exit'() {
        for (const creation of getLockAnalysis(context).creations) {
          // restoreLock() takes over a lock made elsewhere, TTL and all; a spread may carry the TTL.
          // Library locks have their TTL elsewhere (redlock's duration argument, redis-semaphore's lockTimeout default).
          if (creation.kind !== 'lock' || creation.call.type !== AST_NODE_TYPES.CallExpression) continue;
          if (creation.call.arguments.some((arg) => arg.type === AST_NODE_TYPES.SpreadElement)) continue;
          if (usedOnlyWithoutAcquiring(creation)) continue;
          let messageId: MessageIds;
          if (!creation.ttl) {
            messageId = 'noTtl';
          } else {
            const ttl = getStaticDurationMs(creation.ttl, context.sourceCode.getScope(creation.ttl));
            if (ttl !== 0 || allowExplicitZero) continue;
            messageId = 'zeroTtl';
          }
          if (isAllowed(creation)) continue;
          context.report({ loc: methodCallLoc(creation.call), messageId });
        }
      },
    };
  },
});
