import { getLockAnalysis } from './analysis/index.js';
import { createRule } from './utils.js';

export default createRule({
  name: 'require-release-in-finally',
  meta: {
    type: 'problem',
    docs: {
      description: 'Require an acquired lock to be released in a `finally` that covers its whole critical section',
      recommended: 'recommended',
      usesTypeInformation: true,
    },
    hasSuggestions: true,
    schema: [],
    messages: {
      noRelease: 'This lock is acquired but never released: release it in a `finally` (or use the closure form).',
      releaseNotInFinally:
        'This lock is released outside a `finally`: an exception before the release keeps it held until its TTL expires.',
      releaseInCatchOnly:
        'This lock is released only in `catch`: when the critical section succeeds it stays held. Release it in `finally`.',
      statementsBeforeTry:
        'Code runs between acquiring this lock and the `try` whose `finally` releases it: an exception there leaks the lock.',
      finallyReleasesOtherLock:
        'The `finally` after this acquisition releases a different lock, not this one.',
      suggestTryFinally: 'Wrap the critical section in `try { … } finally { await {{lock}}.release(); }`.',
    },
  },
  defaultOptions: [],
  create(context) {
    return {
      'Program:exit'() {
        const analysis = getLockAnalysis(context);
        for (const acquisition of analysis.acquisitions) {
          const protection = analysis.protection(acquisition);
          if (protection.kind !== 'unprotected') continue;
          context.report({ node: acquisition.call, messageId: protection.problem });
        }
      },
    };
  },
});
