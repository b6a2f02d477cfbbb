import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { isTestOf, propertyName } from './ast.js';

/**
 * What the code does with a Promise, judged from the expression that produces it (a lock call) upwards, with the
 * semantics of typescript-eslint's `no-floating-promises` where they apply. Syntax only: it never needs types.
 */
export type PromiseUse =
  /** `await p` (also `await Promise.all([p])`, `await p.then(f)`). */
  | { readonly kind: 'awaited'; readonly node: TSESTree.AwaitExpression }
  /** Returned or yielded to the caller: `return p`, `() => p`, `yield p`. */
  | { readonly kind: 'returned'; readonly node: TSESTree.Node }
  /** A chain ending in a rejection handler: `p.catch(h)`, `p.then(f, r)` (a later `.finally(g)` keeps it handled). */
  | { readonly kind: 'handled'; readonly node: TSESTree.CallExpression }
  /** Handed to other code, which becomes responsible: a call argument, an object or array, a field, a default. */
  | { readonly kind: 'passed'; readonly node: TSESTree.Node }
  /** Tested for truthiness, which a Promise always is: `if (p)`, `!p`, `p ? a : b`, `p && b`, `Boolean(p)`. */
  | { readonly kind: 'condition'; readonly node: TSESTree.Node }
  /** Explicitly ignored: `void p`. */
  | { readonly kind: 'voided'; readonly node: TSESTree.UnaryExpression }
  /** Dropped: an expression statement, the left of a comma, a comparison or arithmetic operand. */
  | { readonly kind: 'discarded'; readonly node: TSESTree.Node }
  /** Stored in a local variable (`const p = …`): judge its references. */
  | { readonly kind: 'variable'; readonly variable: TSESLint.Scope.Variable; readonly node: TSESTree.VariableDeclarator }
  /** A place this analysis does not judge; callers treat it as fine. */
  | { readonly kind: 'unknown'; readonly node: TSESTree.Node };

/** The result of {@link followPromise}. */
export interface PromiseFlow {
  readonly use: PromiseUse;
  /**
   * The outermost expression that still carries the Promise (`p`, `p.then(f)`, `Promise.all([p])`, `c ? p : q`):
   * where an `await` belongs.
   */
  readonly carrier: TSESTree.Expression;
  /** The `.then()` / `.catch()` / `.finally()` calls chained on the Promise, innermost first. */
  readonly chain: readonly TSESTree.CallExpression[];
}

const PROMISE_COMBINATORS = new Set(['all', 'allSettled', 'race', 'any']);
const CHAIN_METHODS = new Set(['then', 'catch', 'finally']);

/** The method name when `node` is the callee object of `node.then(…)` / `.catch(…)` / `.finally(…)`. */
function chainedCall(node: TSESTree.Node): { call: TSESTree.CallExpression; method: string } | undefined {
  const member = node.parent;
  if (member?.type !== AST_NODE_TYPES.MemberExpression || member.object !== node) return undefined;
  const call = member.parent;
  if (call?.type !== AST_NODE_TYPES.CallExpression || call.callee !== member) return undefined;
  const method = propertyName(member);
  return method !== undefined && CHAIN_METHODS.has(method) ? { call, method } : undefined;
}

/** Whether `call` is `Promise.all(…)` / `allSettled` / `race` / `any`. */
function isPromiseCombinator(call: TSESTree.Node | undefined): call is TSESTree.CallExpression {
  if (call?.type !== AST_NODE_TYPES.CallExpression) return false;
  const callee = call.callee;
  if (callee.type !== AST_NODE_TYPES.MemberExpression) return false;
  if (callee.object.type !== AST_NODE_TYPES.Identifier || callee.object.name !== 'Promise') return false;
  const name = propertyName(callee);
  return name !== undefined && PROMISE_COMBINATORS.has(name);
}

/** Whether a `.then()` / `.catch()` argument can handle a rejection: present, not spread, not `undefined`/`null`. */
function isRejectionHandler(argument: TSESTree.CallExpressionArgument | undefined): boolean {
  if (!argument || argument.type === AST_NODE_TYPES.SpreadElement) return false;
  if (argument.type === AST_NODE_TYPES.Identifier && argument.name === 'undefined') return false;
  return !(argument.type === AST_NODE_TYPES.Literal && argument.value === null);
}

/** Whether `parent` only changes the static type of `node`, not its value. */
function isTransparent(parent: TSESTree.Node, node: TSESTree.Node): boolean {
  switch (parent.type) {
    case AST_NODE_TYPES.TSAsExpression:
    case AST_NODE_TYPES.TSNonNullExpression:
    case AST_NODE_TYPES.TSSatisfiesExpression:
    case AST_NODE_TYPES.TSTypeAssertion:
    case AST_NODE_TYPES.ChainExpression:
      return parent.expression === node;
    default:
      return false;
  }
}

/**
 * Follows the Promise produced by `start` up the tree: through parentheses and type assertions, `.then()` /
 * `.catch()` / `.finally()` chains, `Promise.all([…])` and friends, the branches of `?:`, the right of `&&`, `||`,
 * `??` and the last of a comma expression, until something uses it.
 */
export function followPromise(start: TSESTree.Expression, sourceCode: Readonly<TSESLint.SourceCode>): PromiseFlow {
  let node: TSESTree.Expression = start;
  const chain: TSESTree.CallExpression[] = [];
  // The last rejection handler of the chain, reset by a later `.then(f)` (whose own rejection would float).
  let handler: TSESTree.CallExpression | undefined;

  const finish = (use: PromiseUse): PromiseFlow => {
    const dropped = use.kind === 'discarded' || use.kind === 'voided' || use.kind === 'variable';
    return { use: dropped && handler ? { kind: 'handled', node: handler } : use, carrier: node, chain };
  };

  for (;;) {
    const parent = node.parent;
    if (!parent) return finish({ kind: 'unknown', node });

    if (isTransparent(parent, node)) {
      node = parent as TSESTree.Expression;
      continue;
    }
    const chained = chainedCall(node);
    if (chained) {
      chain.push(chained.call);
      const onRejected = chained.call.arguments[chained.method === 'catch' ? 0 : 1];
      if (chained.method !== 'finally') handler = isRejectionHandler(onRejected) ? chained.call : undefined;
      node = chained.call;
      continue;
    }
    if (isTestOf(parent, node)) return finish({ kind: 'condition', node: parent });

    switch (parent.type) {
      case AST_NODE_TYPES.AwaitExpression:
        return finish({ kind: 'awaited', node: parent });
      case AST_NODE_TYPES.ReturnStatement:
      case AST_NODE_TYPES.YieldExpression:
        return finish({ kind: 'returned', node: parent });
      case AST_NODE_TYPES.ArrowFunctionExpression:
        return finish(parent.body === node ? { kind: 'returned', node: parent } : { kind: 'unknown', node: parent });
      case AST_NODE_TYPES.ConditionalExpression:
        // A branch (the test was handled above): the value of the whole expression carries the Promise.
        node = parent;
        continue;
      case AST_NODE_TYPES.LogicalExpression:
        if (parent.left === node && parent.operator !== '??') return finish({ kind: 'condition', node: parent });
        node = parent;
        continue;
      case AST_NODE_TYPES.SequenceExpression:
        if (parent.expressions[parent.expressions.length - 1] !== node) {
          return finish({ kind: 'discarded', node: parent });
        }
        node = parent;
        continue;
      case AST_NODE_TYPES.UnaryExpression:
        if (parent.operator === '!') return finish({ kind: 'condition', node: parent });
        if (parent.operator === 'void') return finish({ kind: 'voided', node: parent });
        // `typeof p`, `-p`, `delete`: the Promise is gone either way.
        return finish({ kind: 'discarded', node: parent });
      case AST_NODE_TYPES.BinaryExpression:
        return finish({ kind: 'discarded', node: parent });
      case AST_NODE_TYPES.ExpressionStatement:
        return finish({ kind: 'discarded', node: parent });
      case AST_NODE_TYPES.ArrayExpression:
        if (isPromiseCombinator(parent.parent) && parent.parent.arguments[0] === parent) {
          node = parent.parent;
          continue;
        }
        return finish({ kind: 'passed', node: parent });
      case AST_NODE_TYPES.CallExpression:
        if (parent.callee === node) return finish({ kind: 'unknown', node: parent });
        if (
          parent.callee.type === AST_NODE_TYPES.Identifier &&
          parent.callee.name === 'Boolean' &&
          parent.arguments[0] === node
        ) {
          return finish({ kind: 'condition', node: parent });
        }
        return finish({ kind: 'passed', node: parent });
      case AST_NODE_TYPES.VariableDeclarator: {
        if (parent.init !== node || parent.id.type !== AST_NODE_TYPES.Identifier || isExported(parent)) {
          return finish({ kind: 'passed', node: parent });
        }
        const variable = sourceCode.getDeclaredVariables(parent)[0];
        return finish(variable ? { kind: 'variable', variable, node: parent } : { kind: 'unknown', node: parent });
      }
      default:
        // Assignments, object properties, class fields, spreads, templates, `new`, JSX: someone else holds it.
        return finish({ kind: 'passed', node: parent });
    }
  }
}

/** Whether `declarator` declares an exported binding (`export const p = …`): other modules may read it. */
export function isExported(declarator: TSESTree.VariableDeclarator): boolean {
  return declarator.parent.parent?.type === AST_NODE_TYPES.ExportNamedDeclaration;
}

/**
 * The reads of a variable holding a Promise (or a value), excluding its initialisation. `undefined` when the
 * variable is written again after its declaration (a reassigned `let`: not followed, to stay conservative).
 */
export function readsOf(variable: TSESLint.Scope.Variable): readonly TSESTree.Identifier[] | undefined {
  const reads: TSESTree.Identifier[] = [];
  for (const reference of variable.references) {
    if (reference.isWrite() && !reference.init) return undefined;
    if (reference.isRead() && reference.identifier.type === AST_NODE_TYPES.Identifier) {
      reads.push(reference.identifier);
    }
  }
  return reads;
}
