import { relative, sep } from 'node:path';
import { minimatch } from 'minimatch';
import { methodCallLoc } from './analysis/ast.js';
import { getLockAnalysis } from './analysis/index.js';
import { createRule } from './utils.js';

export type Options = [{ allowFiles?: string[] }];
export type MessageIds = 'forceRelease';

export default createRule<Options, MessageIds>({
  name: 'no-force-release',
  meta: {
    type: 'problem',
    docs: {
      description: '`forceRelease()` only in the files allowed to break another holder\'s lock (admin tools, recovery scripts)',
      recommended: 'strict',
    },
    schema: [
      {
        type: 'object',
        properties: {
          allowFiles: {
            type: 'array',
            items: { type: 'string' },
            uniqueItems: true,
            description:
              'Glob patterns (minimatch, relative to the ESLint working directory, `/` separators) of files where `forceRelease()` is allowed: `scripts/**`, `src/admin/*.ts`.',
          },
        },
        additionalProperties: false,
      },
    ],
    defaultOptions: [{ allowFiles: [] }],
    messages: {
      forceRelease:
        '`forceRelease()` deletes the lock whoever holds it: the holder keeps working, believing it is alone, while the next process takes the name. Release your own lock with `release()`, or another owner\'s with `restoreLock(name, owner).release()`; keep `forceRelease()` to the files listed in `allowFiles`.',
    },
  },
  create(context, [{ allowFiles }]) {
    const file = relative(context.cwd, context.filename).split(sep).join('/');
    if ((allowFiles ?? []).some((pattern) => minimatch(file, pattern, { dot: true }))) return {};
    return {
      'Program:exit'() {
        for (const call of getLockAnalysis(context).calls) {
          if (call.method === 'forceRelease' && call.library === 'locksmith') context.report({ loc: methodCallLoc(call.call), messageId: 'forceRelease' });
        }
      },
    };
  },
});
