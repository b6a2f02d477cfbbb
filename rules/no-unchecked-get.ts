import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { contains, isFunction, isTestOf, methodCallLoc, propertyName, unwrap } from './analysis/ast.js';
import { getLockAnalysis } from './analysis/index.js';
import { followPromise, isExported, readsOf } from './analysis/promise-use.js';
import type { LockMethodCall } from './analysis/types.js';
import { tryAlternative } from './analysis/wording.js';
import { createRule } from './utils.js';

export type Options = [];
export type MessageIds = 'discarded' | 'neverTested';

/** What happens to the boolean an awaited `get()` resolves to. */
type BooleanUse =
  | { readonly kind: 'discarded' }
  | { readonly kind: 'tested' }
  | { readonly kind: 'variable'; readonly variable: TSESLint.Scope.Variable; readonly declarator: TSESTree.VariableDeclarator };

/**
 * Follows the boolean of `await lock.get()` up the tree. Anything this does not recognise as dropping it counts as
 * a test: passing it on, returning it, storing it on an object are all somebody looking at it.
 */
function followBoolean(start: TSESTree.Expression, sourceCode: Readonly<TSESLint.SourceCode>): BooleanUse {
  let node: TSESTree.Node = start;
  for (;;) {
    const parent: TSESTree.Node | undefined = node.parent;
    if (!parent) return { kind: 'tested' };
    if (isTestOf(parent, node)) return { kind: 'tested' };
    switch (parent.type) {
      case AST_NODE_TYPES.TSAsExpression:
      case AST_NODE_TYPES.TSNonNullExpression:
      case AST_NODE_TYPES.TSSatisfiesExpression:
      case AST_NODE_TYPES.TSTypeAssertion:
      case AST_NODE_TYPES.ConditionalExpression:
        node = parent;
        continue;
      case AST_NODE_TYPES.UnaryExpression:
        if (parent.operator === 'void') return { kind: 'discarded' };
        // `!ok` is as good a test as `ok`, wherever it goes next.
        node = parent;
        continue;
      case AST_NODE_TYPES.LogicalExpression:
        if (parent.left === node) return { kind: 'tested' };
        node = parent;
        continue;
      case AST_NODE_TYPES.SequenceExpression:
        if (parent.expressions[parent.expressions.length - 1] !== node) return { kind: 'discarded' };
        node = parent;
        continue;
      case AST_NODE_TYPES.ExpressionStatement:
        return { kind: 'discarded' };
      case AST_NODE_TYPES.VariableDeclarator: {
        if (parent.init !== node || parent.id.type !== AST_NODE_TYPES.Identifier || isExported(parent)) {
          return { kind: 'tested' };
        }
        const variable = sourceCode.getDeclaredVariables(parent)[0];
        return variable ? { kind: 'variable', variable, declarator: parent } : { kind: 'tested' };
      }
      default:
        return { kind: 'tested' };
    }
  }
}

/** Whether `read` is only printed: interpolated into a template literal, or an argument of `console.*()`. */
function isOnlyPrinted(read: TSESTree.Node): boolean {
  const parent = read.parent;
  if (parent?.type === AST_NODE_TYPES.TemplateLiteral) return true;
  if (parent?.type !== AST_NODE_TYPES.CallExpression || parent.callee === read) return false;
  const { callee } = parent;
  return (
    callee.type === AST_NODE_TYPES.MemberExpression &&
    callee.object.type === AST_NODE_TYPES.Identifier &&
    callee.object.name === 'console'
  );
}

/** Whether `read` sits in a `finally` block that runs after the declaration's statements, not around it. */
function isInLaterFinally(read: TSESTree.Node, declarator: TSESTree.Node): boolean {
  for (let current = read.parent; current; current = current.parent) {
    if (isFunction(current)) return false;
    if (
      current.parent?.type === AST_NODE_TYPES.TryStatement &&
      current.parent.finalizer === current &&
      !contains(current, declarator)
    ) {
      return true;
    }
  }
  return false;
}

/** A value that runs nothing: `undefined`, `null`, a literal, a name, `void 0`. */
function isInert(node: TSESTree.Node | null | undefined): boolean {
  if (!node) return true;
  switch (node.type) {
    case AST_NODE_TYPES.Literal:
    case AST_NODE_TYPES.Identifier:
      return true;
    case AST_NODE_TYPES.UnaryExpression:
      return node.operator === 'void' && isInert(node.argument);
    case AST_NODE_TYPES.TemplateLiteral:
      return node.expressions.length === 0;
    default:
      return false;
  }
}

/**
 * Whether a `.then()` callback does anything that would need the lock. `() => undefined` (turning the result
 * into "no error", as tests of a rejection do) runs no critical section, so ignoring the boolean there is harmless.
 */
function doesWork(callback: TSESTree.Node & { body: TSESTree.Node }): boolean {
  const { body } = callback;
  if (body.type !== AST_NODE_TYPES.BlockStatement) return !isInert(body);
  return body.body.some(
    (statement) =>
      statement.type !== AST_NODE_TYPES.EmptyStatement &&
      !(statement.type === AST_NODE_TYPES.ReturnStatement && isInert(statement.argument)),
  );
}

export default createRule<Options, MessageIds>({
  name: 'no-unchecked-get',
  meta: {
    type: 'problem',
    docs: {
      description: 'Require the boolean of `lock.get()` to be tested before the critical section runs',
      recommended: 'recommended',
      usesTypeInformation: true,
    },
    messages: {
      discarded:
        'The boolean from `{{method}}()` is discarded: the code after it runs whether or not the lock was acquired. Test it (`if (await lock.{{method}}())`), or use {{alternative}}.',
      neverTested:
        '`{{name}}` holds the boolean from `{{method}}()` but is never tested before the critical section runs: the code runs whether or not the lock was acquired.',
    },
    schema: [],
    defaultOptions: [],
  },
  create(context) {
    const { sourceCode } = context;

    function checkAwaited(call: LockMethodCall, awaited: TSESTree.AwaitExpression): void {
      const use = followBoolean(awaited, sourceCode);
      if (use.kind === 'discarded') {
        context.report({ loc: methodCallLoc(call.call), messageId: 'discarded', data: words(call) });
        return;
      }
      if (use.kind !== 'variable') return;
      const reads = readsOf(use.variable);
      if (reads === undefined) return;
      if (reads.every((read) => isInLaterFinally(read, use.declarator) || isOnlyPrinted(read))) {
        context.report({ loc: methodCallLoc(call.call), messageId: 'neverTested', data: { ...words(call), name: use.variable.name } });
      }
    }

    /** `lock.get().then(() => work())`: the callback never looks at the boolean. */
    function checkThen(call: LockMethodCall, then: TSESTree.CallExpression): void {
      const callback = then.arguments[0];
      if (!callback || !isFunction(callback) || !doesWork(callback)) return;
      const [parameter] = callback.params;
      if (parameter === undefined) {
        context.report({ loc: methodCallLoc(call.call), messageId: 'discarded', data: words(call) });
        return;
      }
      if (parameter.type !== AST_NODE_TYPES.Identifier) return;
      const variable = sourceCode.getDeclaredVariables(callback).find((v) => v.name === parameter.name);
      if (variable && variable.references.length === 0) {
        context.report({ loc: methodCallLoc(call.call), messageId: 'discarded', data: words(call) });
      }
    }

    function check(call: LockMethodCall): void {
      if (call.method !== 'get' || call.callback || call.call.arguments.length > 0) return;
      const flow = followPromise(call.call, sourceCode);
      const { use, chain } = flow;
      const first = chain[0];
      if (first) {
        // A floating chain is no-floating-lock-call's report; judge the callback only when the chain is used.
        if (use.kind === 'discarded' || use.kind === 'condition' || use.kind === 'voided' || use.kind === 'variable') {
          return;
        }
        const callee = first.callee;
        if (callee.type === AST_NODE_TYPES.MemberExpression && propertyName(callee) === 'then') checkThen(call, first);
        return;
      }
      // Only `await lock.get()` itself (through type assertions): other shapes are the floating rule's, or unknown.
      if (use.kind === 'awaited' && flow.carrier === callOrWrapped(call.call, use.node)) {
        checkAwaited(call, use.node);
      }
    }

    return {
      'Program:exit'() {
        for (const call of getLockAnalysis(context).calls) check(call);
      },
    };
  },
});

/** The message words for `call`: its method as the library spells it, and what to use instead. */
function words(call: LockMethodCall): { method: string; alternative: string } {
  return { method: call.name, alternative: tryAlternative(call.library) };
}

/** The argument of `awaited` when it is `call` itself or `call` under type assertions only. */
function callOrWrapped(call: TSESTree.CallExpression, awaited: TSESTree.AwaitExpression): TSESTree.Node | undefined {
  return unwrap(awaited.argument) === call ? awaited.argument : undefined;
}
