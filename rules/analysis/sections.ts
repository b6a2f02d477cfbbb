/**
 * Critical sections: where an acquisition holds its lock, read from the statement structure around the
 * acquiring call (closure bodies, `if` tests of the result, guard clauses, statements after `block()`).
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';
import { isFunction, isLoop } from './ast.js';
import type { Acquisition, CriticalSection } from './types.js';

/** How the acquiring call's value reaches the statement that uses it. */
export interface AcquisitionUse {
  /** The outermost expression that still carries the acquisition's result (through `await`, `!`, `&&`). */
  readonly top: TSESTree.Node;
  /** Whether the result is negated an odd number of times on the way (`!(await lock.get())`). */
  readonly negated: boolean;
  /** Whether the result is awaited. */
  readonly awaited: boolean;
}

/** Climbs from the acquiring call through `await`, `!`, non-null/`as` wrappers and positive `&&`. */
export function acquisitionUse(call: TSESTree.CallExpression): AcquisitionUse {
  let top: TSESTree.Node = call;
  let negated = false;
  let awaited = false;
  for (;;) {
    const parent: TSESTree.Node | undefined = top.parent;
    if (!parent) break;
    if (parent.type === AST_NODE_TYPES.AwaitExpression) awaited = true;
    else if (parent.type === AST_NODE_TYPES.UnaryExpression && parent.operator === '!') negated = !negated;
    else if (
      parent.type === AST_NODE_TYPES.ChainExpression ||
      parent.type === AST_NODE_TYPES.TSNonNullExpression ||
      parent.type === AST_NODE_TYPES.TSAsExpression ||
      parent.type === AST_NODE_TYPES.TSSatisfiesExpression
    ) {
      // transparent
    } else if (awaited && parent.type === AST_NODE_TYPES.BinaryExpression && booleanComparison(parent, top) !== undefined) {
      // `(await lock.get()) === false`, `!== true`
      if (booleanComparison(parent, top)) negated = !negated;
    } else if (parent.type === AST_NODE_TYPES.LogicalExpression && parent.operator === '&&' && !negated && awaited) {
      // `if (await a.get() && await b.get())`: the consequent runs only when both were acquired.
    } else break;
    top = parent;
  }
  return { top, negated, awaited };
}

/**
 * For `x === false`, `x !== true` (and `==`/`!=`) with `x` the acquisition: whether the comparison negates it;
 * `undefined` when it is not such a comparison.
 */
function booleanComparison(comparison: TSESTree.BinaryExpression, operand: TSESTree.Node): boolean | undefined {
  const other = comparison.left === operand ? comparison.right : comparison.right === operand ? comparison.left : undefined;
  if (other?.type !== AST_NODE_TYPES.Literal || typeof other.value !== 'boolean') return undefined;
  const equal = comparison.operator === '===' || comparison.operator === '==';
  const unequal = comparison.operator === '!==' || comparison.operator === '!=';
  if (!equal && !unequal) return undefined;
  return equal !== other.value;
}

/** A statement list that can hold a section: a block, the program, a `case`, a static block. */
export type StatementList = TSESTree.BlockStatement | TSESTree.Program | TSESTree.SwitchCase | TSESTree.StaticBlock;

/** The list `statement` sits in directly, with its position, or `undefined` (e.g. an `if` without braces). */
export function statementPosition(
  statement: TSESTree.Node,
): { list: StatementList; statements: readonly TSESTree.Statement[]; index: number } | undefined {
  const parent = statement.parent;
  if (!parent) return undefined;
  let statements: readonly TSESTree.Node[] | undefined;
  if (
    parent.type === AST_NODE_TYPES.BlockStatement ||
    parent.type === AST_NODE_TYPES.Program ||
    parent.type === AST_NODE_TYPES.StaticBlock
  ) {
    statements = parent.body;
  } else if (parent.type === AST_NODE_TYPES.SwitchCase) {
    statements = parent.consequent;
  }
  if (!statements) return undefined;
  const index = statements.indexOf(statement);
  if (index < 0) return undefined;
  return { list: parent as StatementList, statements: statements as readonly TSESTree.Statement[], index };
}

/** The statements of a branch: a block's body, or the single statement. */
export function branchStatements(branch: TSESTree.Statement): readonly TSESTree.Statement[] {
  return branch.type === AST_NODE_TYPES.BlockStatement ? branch.body : [branch];
}

/** Whether control never falls out of `statement` (it ends in return / throw / break / continue). */
export function exits(statement: TSESTree.Statement): boolean {
  switch (statement.type) {
    case AST_NODE_TYPES.ReturnStatement:
    case AST_NODE_TYPES.ThrowStatement:
    case AST_NODE_TYPES.BreakStatement:
    case AST_NODE_TYPES.ContinueStatement:
      return true;
    case AST_NODE_TYPES.BlockStatement: {
      const last = statement.body[statement.body.length - 1];
      return last !== undefined && exits(last);
    }
    case AST_NODE_TYPES.IfStatement:
      return statement.alternate !== null && exits(statement.consequent) && exits(statement.alternate);
    default:
      return false;
  }
}

/** The statement directly containing `node` in a statement list (walking up through expressions). */
export function enclosingStatement(node: TSESTree.Node): TSESTree.Statement | undefined {
  let current: TSESTree.Node | undefined = node;
  while (current) {
    if (statementPosition(current)) return current as TSESTree.Statement;
    if (isFunction(current)) return undefined;
    current = current.parent;
  }
  return undefined;
}

/** Whether `test` is `name` or `!name` (any number of `!`), and which. */
function testsVariable(test: TSESTree.Expression, name: string): { negated: boolean } | undefined {
  let node: TSESTree.Node = test;
  let negated = false;
  while (node.type === AST_NODE_TYPES.UnaryExpression && node.operator === '!') {
    negated = !negated;
    node = node.argument;
  }
  return node.type === AST_NODE_TYPES.Identifier && node.name === name ? { negated } : undefined;
}

/** Where `acquisition` holds its lock, or `undefined` for shapes the analysis does not know. */
export function criticalSectionOf(acquisition: Acquisition): CriticalSection | undefined {
  if (acquisition.closure) {
    const { body } = acquisition.closure;
    return {
      acquisition,
      kind: 'closure',
      guarded: true,
      body: body.type === AST_NODE_TYPES.BlockStatement ? body.body : [body],
      container: acquisition.closure,
      anchor: undefined,
      statement: undefined,
    };
  }
  if (acquisition.callback) return undefined;
  const use = acquisitionUse(acquisition.call);
  const parent = use.top.parent;
  if (!parent || !use.awaited) return undefined;
  const isBlock = acquisition.method === 'block';

  if (parent.type === AST_NODE_TYPES.IfStatement && parent.test === use.top) {
    return fromIf(acquisition, parent, use.negated, parent);
  }
  if (parent.type === AST_NODE_TYPES.WhileStatement && parent.test === use.top && use.negated) {
    // `while (!(await lock.get())) await sleep(50);` — retried until acquired, then the statements after.
    return following(acquisition, parent, 'sequence', true, parent);
  }
  if (parent.type === AST_NODE_TYPES.ExpressionStatement && !use.negated) {
    return following(acquisition, parent, 'sequence', isBlock, parent);
  }
  if (
    parent.type === AST_NODE_TYPES.VariableDeclarator &&
    parent.init === use.top &&
    !use.negated &&
    parent.parent.type === AST_NODE_TYPES.VariableDeclaration
  ) {
    const declaration = parent.parent;
    const position = statementPosition(declaration);
    if (!position) return undefined;
    // `const [value, release] = await semaphore.acquire()`: a throwing acquire holds the lock from here on.
    if (parent.id.type !== AST_NODE_TYPES.Identifier) {
      return isBlock ? following(acquisition, declaration, 'sequence', true, declaration) : undefined;
    }
    const name = parent.id.name;
    // `const acquired = await lock.get(); … if (!acquired) return;` — the first `if` that tests it.
    for (const later of position.statements.slice(position.index + 1)) {
      // A `try` first: the section starts there (`const ok = await lock.get(); try { if (!ok) return; … }`).
      if (later.type === AST_NODE_TYPES.TryStatement) break;
      if (later.type !== AST_NODE_TYPES.IfStatement) continue;
      const tested = testsVariable(later.test, name);
      if (tested) return fromIf(acquisition, later, tested.negated, declaration);
    }
    return following(acquisition, declaration, 'sequence', isBlock, declaration);
  }
  return undefined;
}

function fromIf(
  acquisition: Acquisition,
  ifStatement: TSESTree.IfStatement,
  negated: boolean,
  statement: TSESTree.Statement,
): CriticalSection | undefined {
  if (!negated) {
    const loop = loopBrokenBy(ifStatement);
    if (loop) {
      // `for (…) { if (await lock.get()) break; await sleep(100); }`: held after the loop when an attempt won.
      return following(acquisition, loop, 'sequence', false, statement);
    }
    return {
      acquisition,
      kind: 'if',
      guarded: true,
      body: branchStatements(ifStatement.consequent),
      container: ifStatement.consequent,
      anchor: ifStatement,
      statement,
    };
  }
  if (exits(ifStatement.consequent)) return following(acquisition, ifStatement, 'guard', true, statement);
  if (!ifStatement.alternate) {
    // `if (!(await lock.get())) { log('waiting'); await lock.block(10); }`: the code after the `if` runs whether
    // or not this attempt succeeded, and holds the lock when it did.
    return following(acquisition, ifStatement, 'sequence', false, statement);
  }
  if (ifStatement.alternate) {
    return {
      acquisition,
      kind: 'else',
      guarded: true,
      body: branchStatements(ifStatement.alternate),
      container: ifStatement.alternate,
      anchor: ifStatement,
      statement,
    };
  }
  return undefined;
}

/** The loop an `if (…) break;` (directly in the loop's body) leaves, if that is all the `if` does. */
function loopBrokenBy(ifStatement: TSESTree.IfStatement): TSESTree.Statement | undefined {
  const branch = branchStatements(ifStatement.consequent);
  const only = branch.length === 1 ? branch[0] : undefined;
  if (ifStatement.alternate || only?.type !== AST_NODE_TYPES.BreakStatement || only.label) return undefined;
  const position = statementPosition(ifStatement);
  const loop = position?.list.parent;
  return loop && isLoop(loop) ? loop : undefined;
}

function following(
  acquisition: Acquisition,
  anchor: TSESTree.Statement,
  kind: 'guard' | 'sequence',
  guarded: boolean,
  statement: TSESTree.Statement,
): CriticalSection | undefined {
  const position = statementPosition(anchor);
  if (!position) return undefined;
  let body = position.statements.slice(position.index + 1);
  let container: StatementList = position.list;
  // The acquisition ends its block (`if (!(await lock.get())) { await lock.block(10); }`, a bare `{ … }`, the
  // block of a `try` that only catches a LockTimeoutError): the lock is still held after the enclosing
  // statement, so the section continues there. Loops, a `try` with a `finally`, and functions end the climb.
  while (body.length === 0 && container.type === AST_NODE_TYPES.BlockStatement) {
    const parent = container.parent;
    const enclosing =
      parent.type === AST_NODE_TYPES.IfStatement ||
      (parent.type === AST_NODE_TYPES.TryStatement && parent.block === container && !parent.finalizer)
        ? parent
        : container;
    const outer = statementPosition(enclosing);
    if (!outer) break;
    body = outer.statements.slice(outer.index + 1);
    container = outer.list;
  }
  return { acquisition, kind, guarded, body, container, anchor, statement };
}
