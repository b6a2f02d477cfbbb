/**
 * Whether the value an awaited lock call resolves to is used as a boolean: tested (`if`, loops, `?:`), negated,
 * combined with `&&` / `||` / `??`, or compared with `true` / `false`, directly or through a local variable.
 * no-boolean-block asks it of `block()` (which never resolves `false`), no-check-then-lock of `isLocked()`.
 */
import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { isTestOf, isTypeWrapper, unwrap } from './ast.js';
import { isExported, readsOf } from './promise-use.js';

/** Where the boolean is looked at: the expression that tests it, and the variable it went through, if any. */
export interface BooleanTest {
  /** The node that treats the value as a boolean (`!x`, `x === false`, the `if`, the `&&`). */
  readonly test: TSESTree.Node;
  /** The local variable the value was stored in first (`const ok = await lock.block(5); if (!ok)`). */
  readonly variable?: TSESLint.Scope.Variable;
}

/** The `await` directly around `call` (through type assertions and `?.`), if there is one. */
export function awaitOf(call: TSESTree.CallExpression): TSESTree.AwaitExpression | undefined {
  let node: TSESTree.Node = call;
  while (node.parent && node.parent.type !== AST_NODE_TYPES.AwaitExpression && unwrap(node.parent) === call) {
    node = node.parent;
  }
  return node.parent?.type === AST_NODE_TYPES.AwaitExpression ? node.parent : undefined;
}

/**
 * How the awaited value `start` (an `await lock.m()` expression) is tested as a boolean, if it is. Passing it on
 * (an argument, a return, a property) is not a test: the receiver may do anything with it.
 */
export function booleanTestOf(
  start: TSESTree.Expression,
  sourceCode: Readonly<TSESLint.SourceCode>,
): BooleanTest | undefined {
  const direct = directTest(start);
  if (direct) return { test: direct };
  const declarator = storedIn(start);
  if (!declarator) return undefined;
  const variable = sourceCode.getDeclaredVariables(declarator)[0];
  if (!variable) return undefined;
  // A variable written again later is not followed: which value a test sees is no longer known.
  for (const read of readsOf(variable) ?? []) {
    const test = directTest(read);
    if (test) return { test, variable };
  }
  return undefined;
}

/** `const ok = <start>;` with a plain local (not exported) identifier. */
function storedIn(start: TSESTree.Node): TSESTree.VariableDeclarator | undefined {
  let node = start;
  while (node.parent && unwrap(node.parent) === start) node = node.parent;
  const parent = node.parent;
  if (
    parent?.type === AST_NODE_TYPES.VariableDeclarator &&
    parent.init === node &&
    parent.id.type === AST_NODE_TYPES.Identifier &&
    !isExported(parent)
  ) {
    return parent;
  }
  return undefined;
}

/** The node that tests `start` as a boolean, climbing through wrappers, `!` and the right side of `&&`/`||`. */
function directTest(start: TSESTree.Node): TSESTree.Node | undefined {
  let node: TSESTree.Node = start;
  for (;;) {
    const parent: TSESTree.Node | undefined = node.parent;
    if (!parent) return undefined;
    if (isTestOf(parent, node)) return parent;
    if (isTypeWrapper(parent)) {
      node = parent;
      continue;
    }
    switch (parent.type) {
      case AST_NODE_TYPES.UnaryExpression:
        return parent.operator === '!' ? parent : undefined;
      case AST_NODE_TYPES.BinaryExpression: {
        const other = parent.left === node ? parent.right : parent.left;
        const isEquality = ['===', '!==', '==', '!='].includes(parent.operator);
        return isEquality && other.type === AST_NODE_TYPES.Literal && typeof other.value === 'boolean' ? parent : undefined;
      }
      case AST_NODE_TYPES.LogicalExpression:
        // The left operand decides which side runs; the right one's value is tested only if the whole is.
        if (parent.left === node) return parent;
        node = parent;
        continue;
      default:
        return undefined;
    }
  }
}
