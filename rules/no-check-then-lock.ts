import { contains, enclosingFunction, methodCallLoc } from './analysis/ast.js';
import { awaitOf, booleanTestOf } from './analysis/boolean-use.js';
import { getLockAnalysis } from './analysis/index.js';
import { staticLockName, type ScopeOf } from './analysis/lock-names.js';
import { createRule } from './utils.js';

export type Options = [];
export type MessageIds = 'checkThenLock';

export default createRule<Options, MessageIds>({
  name: 'no-check-then-lock',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow testing `isLocked()` and then acquiring the same lock: the answer is stale by then',
      recommended: 'recommended',
    },
    schema: [],
    defaultOptions: [],
    messages: {
      checkThenLock:
        '`isLocked()` is tested here and the same lock is acquired at line {{line}}: between the two another process can take or free it, so the answer is stale when you act on it. Acquire directly and test the result (`if (!(await lock.get())) return;`).',
    },
  },
  create(context) {
    const { sourceCode } = context;
    const scopeOf: ScopeOf = (node) => sourceCode.getScope(node);
    return {
      'Program:exit'() {
        const analysis = getLockAnalysis(context);
        for (const check of analysis.calls) {
          // async-mutex's isLocked() and acquire() run in one tick of one process: not a stale answer.
          if (check.method !== 'isLocked' || check.library !== 'locksmith') continue;
          const awaited = awaitOf(check.call);
          if (!awaited || !booleanTestOf(awaited, sourceCode)) continue;
          const fn = enclosingFunction(check.call);
          const checkedName = staticLockName(check.lock, scopeOf);
          const acquisition = analysis.acquisitions.find((candidate) => {
            if (candidate.call.range[0] <= check.call.range[1] || !contains(fn, candidate.call)) return false;
            // An acquisition in a nested function runs at another time (a callback, a timer): not this check's.
            if (enclosingFunction(candidate.call) !== fn) return false;
            if (analysis.sameLock(candidate.lock, check.lock)) return true;
            return checkedName !== undefined && staticLockName(candidate.lock, scopeOf) === checkedName;
          });
          if (!acquisition) continue;
          context.report({
            loc: methodCallLoc(check.call),
            messageId: 'checkThenLock',
            data: { line: acquisition.call.loc.start.line },
          });
        }
      },
    };
  },
});
