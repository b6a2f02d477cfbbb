import { ASTUtils, AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { methodCallLoc } from './analysis/ast.js';
import { getLockAnalysis } from './analysis/index.js';
import { followPromise, readsOf, type PromiseFlow } from './analysis/promise-use.js';
import type { LockMethodCall } from './analysis/types.js';
import { createRule } from './utils.js';

export type Options = [{ ignoreVoid?: boolean }];
export type MessageIds = 'alwaysTruthy' | 'alwaysTruthyVariable' | 'floating' | 'addAwait';

/** Why a floating call of each method hurts, for the message. */
function consequence(call: LockMethodCall): string {
  switch (call.method) {
    case 'get':
      return call.callback
        ? 'the caller does not wait for the closure and never learns of its error'
        : 'the code after it runs whether or not the lock was acquired';
    case 'block':
      return call.callback
        ? 'the caller does not wait for the closure and never learns of a timeout or of its error'
        : 'the code after it runs before the lock is held, and a timeout is never seen';
    case 'release':
    case 'forceRelease':
      return 'the code after it may run while the lock is still held, and a failure is never seen';
    case 'refresh':
      return 'a lost lock or a store failure is never noticed';
    case 'isLocked':
    case 'isOwnedByCurrentProcess':
      return 'its answer is never read';
  }
}

/** Node types `await x` can precede without parentheses changing what is awaited. */
const AWAITABLE_AS_IS = new Set<AST_NODE_TYPES>([
  AST_NODE_TYPES.CallExpression,
  AST_NODE_TYPES.MemberExpression,
  AST_NODE_TYPES.ChainExpression,
  AST_NODE_TYPES.Identifier,
  AST_NODE_TYPES.NewExpression,
  AST_NODE_TYPES.TSNonNullExpression,
]);

export default createRule<Options, MessageIds>({
  name: 'no-floating-lock-call',
  meta: {
    type: 'problem',
    docs: {
      description:
        'Require the Promise of every lock call to be awaited, returned or handled, and never tested as a condition',
      recommended: 'recommended',
      usesTypeInformation: true,
    },
    hasSuggestions: true,
    messages: {
      alwaysTruthy:
        '`{{method}}()` returns a Promise, and a Promise is always truthy: this condition does not depend on the lock. Await the call.',
      alwaysTruthyVariable:
        '`{{name}}` holds the Promise of `{{method}}()`, and a Promise is always truthy: testing `{{name}}` does not depend on the lock. Await the call.',
      floating:
        '`{{method}}()` returns a Promise that is neither awaited, returned nor handled: {{consequence}}.',
      addAwait: 'Add `await`.',
    },
    schema: [
      {
        type: 'object',
        additionalProperties: false,
        properties: {
          ignoreVoid: {
            type: 'boolean',
            description: 'Whether `void lock.release()` counts as explicitly ignoring the Promise.',
          },
        },
      },
    ],
    defaultOptions: [{ ignoreVoid: true }],
  },
  create(context, [{ ignoreVoid }]) {
    const { sourceCode } = context;
    const moduleAllowsTopLevelAwait = allowsTopLevelAwait(context);

    /** Whether `await` may be written where `node` is. */
    function canAwaitAt(node: TSESTree.Node): boolean {
      for (let current = node.parent; current; current = current.parent) {
        switch (current.type) {
          case AST_NODE_TYPES.ArrowFunctionExpression:
          case AST_NODE_TYPES.FunctionDeclaration:
          case AST_NODE_TYPES.FunctionExpression:
            return current.async;
          case AST_NODE_TYPES.PropertyDefinition:
          case AST_NODE_TYPES.AccessorProperty:
          case AST_NODE_TYPES.StaticBlock:
            return false;
          case AST_NODE_TYPES.Program:
            return moduleAllowsTopLevelAwait;
          default:
            break;
        }
      }
      return false;
    }

    function awaitSuggestion(flow: PromiseFlow): TSESLint.ReportSuggestionArray<MessageIds> {
      const { carrier, use } = flow;
      if (!canAwaitAt(carrier)) return [];
      return [
        {
          messageId: 'addAwait',
          fix(fixer) {
            if (use.kind === 'voided') {
              const voidToken = sourceCode.getFirstToken(use.node);
              if (voidToken) return fixer.replaceText(voidToken, 'await');
            }
            // Only the expression's own parentheses count, not those of `if (…)` or a call.
            const wrapped = ASTUtils.isParenthesized(carrier, sourceCode);
            if (use.kind === 'condition' && use.node.type === AST_NODE_TYPES.UnaryExpression && !wrapped) {
              // `!lock.get()` → `!(await lock.get())`: valid without the parentheses, but easier to read.
              return [fixer.insertTextBefore(carrier, '(await '), fixer.insertTextAfter(carrier, ')')];
            }
            if (!AWAITABLE_AS_IS.has(carrier.type) && !wrapped) {
              return [fixer.insertTextBefore(carrier, 'await ('), fixer.insertTextAfter(carrier, ')')];
            }
            return fixer.insertTextBefore(carrier, 'await ');
          },
        },
      ];
    }

    function report(
      call: LockMethodCall,
      messageId: Exclude<MessageIds, 'addAwait'>,
      flow: PromiseFlow,
      name = '',
    ): void {
      context.report({
        loc: methodCallLoc(call.call),
        messageId,
        data: { method: call.name, consequence: consequence(call), name },
        suggest: awaitSuggestion(flow),
      });
    }

    function check(call: LockMethodCall): void {
      // async-mutex's `release()` and `isLocked()` return no Promise: there is nothing to await.
      if (!call.async) return;
      const flow = followPromise(call.call, sourceCode);
      const { use } = flow;
      switch (use.kind) {
        case 'condition':
          report(call, 'alwaysTruthy', flow);
          return;
        case 'discarded':
          report(call, 'floating', flow);
          return;
        case 'voided':
          if (!ignoreVoid) report(call, 'floating', flow);
          return;
        case 'variable': {
          const reads = readsOf(use.variable);
          if (reads === undefined) return;
          if (reads.length === 0) {
            report(call, 'floating', flow);
            return;
          }
          // `const ok = lock.get(); if (ok)`: the variable holds the Promise, so the test is always true.
          if (reads.some((read) => followPromise(read, sourceCode).use.kind === 'condition')) {
            report(call, 'alwaysTruthyVariable', flow, use.variable.name);
          }
          return;
        }
        default:
          return;
      }
    }

    return {
      'Program:exit'() {
        for (const call of getLockAnalysis(context).calls) check(call);
      },
    };
  },
});

/** Top-level `await` exists in ES modules only, never in CommonJS files. */
function allowsTopLevelAwait(context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>): boolean {
  if (/\.c[jt]s$/.test(context.filename)) return false;
  const sourceType = (context.languageOptions as { sourceType?: string } | undefined)?.sourceType;
  return (sourceType ?? context.sourceCode.ast.sourceType) === 'module';
}
