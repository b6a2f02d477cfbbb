/**
 * Whether an acquired lock is released on every path: structurally, like Error Prone's `LockNotBeforeTry`
 * (ESLint's code paths have no exception edges outside `try`, so they cannot answer this).
 *
 * A lock the acquiring function does not own alone (a field, a parameter, an outer variable, a lock that
 * escapes) is somebody else's to release: it is judged only when the function itself releases it.
 */
import { AST_NODE_TYPES, TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { contains, enclosingFunction, isFunction, isLoop, isNode, type AnyFunction } from './ast.js';
import type {
  Acquisition,
  CriticalSection,
  EscapeKind,
  LockAnalysis,
  LockMethodCall,
  LockRef,
  Protection,
} from './types.js';
import { statementPosition } from './sections.js';

type Scope = AnyFunction | TSESTree.Program;

/** Whether and how `acquisition`'s lock is released on every path (see {@link Protection}). */
export function protectionOf(acquisition: Acquisition, analysis: LockAnalysis): Protection {
  if (acquisition.callback) return { kind: 'callback' };
  const { lock, call } = acquisition;
  if (lock.disposed) return { kind: 'disposed' };
  const fn = enclosingFunction(call);
  const releases = analysis.releasesOf(lock);
  const releasesHere = releases.filter((release) => contains(fn, release.call));

  const covering = coveringTry(call, fn, lock, analysis);
  if (covering) return covering;

  // async-mutex: the releaser an `acquire()` resolved to, handed on, is the lock handed on.
  if (acquisition.handle) {
    const handedOn = escapeOf({ ...lock, variable: acquisition.handle }, 0);
    if (handedOn) return handedOn;
  }

  // A releaser held in a local variable makes the acquisition this function's own, wherever the mutex lives.
  const owned = acquisition.handle !== undefined || ownedBy(lock, fn);
  if (!owned) {
    if (releasesHere.length === 0) {
      const outer = analysis.criticalSection(acquisition) ? outerVariableVerdict(lock, releases) : undefined;
      if (outer) return outer;
      return { kind: 'escapes', how: 'outer', node: acquisition.receiver };
    }
  } else if (!acquisition.handle) {
    const escape = escapeOf(lock, 0, releaseArguments(releases));
    if (escape) return escape;
  }
  // A release inside a nested function runs whenever that function is called: a promise's `.finally()`, a
  // timer, a returned handle. Its caller decides, so the lock counts as handed over.
  const deferred = releasesHere.find((release) => enclosingFunction(release.call) !== fn);
  if (deferred) return { kind: 'escapes', how: 'deferred', node: deferred.call };

  const section = analysis.criticalSection(acquisition);
  if (!section) return { kind: 'unknown' };

  const first = section.body[0];
  const preamble = statementsBetween(section.statement, section.anchor);
  const immediate = first && preamble === 0 ? releaseStatementOf(first, releasesHere) : undefined;
  if (immediate) return { kind: 'immediate', release: immediate };
  if (first?.type === AST_NODE_TYPES.TryStatement && first.finalizer) {
    const release = releasesIn(first.finalizer, releasesHere)[0];
    if (release) {
      if (preamble === 0) return { kind: 'finally', tryStatement: first, release };
      return unprotected('statementsBeforeTry', releasesHere, first);
    }
  }
  const lateTry = releasesHere
    .filter((release) => release.call.range[0] > call.range[1])
    .map((release) => finallyOf(release.call, fn))
    .find((tryStatement) => tryStatement !== undefined);
  if (lateTry) return unprotected('statementsBeforeTry', releasesHere, lateTry);

  const wrongTry = [first, enclosingTry(call, fn)].find(
    (node): node is TSESTree.TryStatement =>
      node?.type === AST_NODE_TYPES.TryStatement &&
      node.finalizer !== null &&
      analysis.calls.some(
        (other) =>
          (other.method === 'release' || other.method === 'forceRelease') &&
          other.lock.id !== lock.id &&
          contains(node.finalizer!, other.call),
      ),
  );
  if (wrongTry) return unprotected('finallyReleasesOtherLock', releasesHere, wrongTry);

  if (releasesHere.length === 0) return unprotected('noRelease', releasesHere, undefined);
  if (releasesHere.every((release) => inCatch(release.call, fn))) {
    return unprotected('releaseInCatchOnly', releasesHere, undefined);
  }
  // A release only in the branch where the lock was not acquired never runs while it is held.
  const excluded = notHeldBranch(section);
  if (excluded && releasesHere.every((release) => contains(excluded, release.call))) {
    return unprotected('noRelease', releasesHere, undefined);
  }
  const exit = earlyExit(section, releasesHere);
  if (exit) return { kind: 'unprotected', problem: 'notReleasedOnExit', releases: releasesHere, tryStatement: undefined, exit };
  return unprotected('releaseNotInFinally', releasesHere, undefined);
}

/** The branch of the section's `if` that runs when the lock was not acquired, if the section has one. */
function notHeldBranch(section: CriticalSection): TSESTree.Node | undefined {
  const anchor = section.anchor;
  if (anchor?.type !== AST_NODE_TYPES.IfStatement) return undefined;
  if (section.kind === 'if') return anchor.alternate ?? undefined;
  if (section.kind === 'else' || section.kind === 'guard') return anchor.consequent;
  return undefined;
}

type Exit = TSESTree.ReturnStatement | TSESTree.BreakStatement | TSESTree.ContinueStatement;

/**
 * A `return`, `break` or `continue` in the critical section that leaves it with no release before it on its way
 * out (none in an earlier statement of any block around it, none in its own argument, no `finally` around it
 * that releases): on that path the lock is never released, whatever the rest of the section does.
 */
function earlyExit(section: CriticalSection, releases: readonly LockMethodCall[]): Exit | undefined {
  if (section.kind === 'closure') return undefined;
  let found: Exit | undefined;
  const visit = (node: TSESTree.Node): void => {
    if (found || isFunction(node)) return;
    if (
      (node.type === AST_NODE_TYPES.ReturnStatement ||
        node.type === AST_NODE_TYPES.BreakStatement ||
        node.type === AST_NODE_TYPES.ContinueStatement) &&
      leavesSection(node, section.container) &&
      !releasedBefore(node, section.container, releases)
    ) {
      found = node;
      return;
    }
    forEachChild(node, visit);
  };
  for (const statement of section.body) visit(statement);
  return found;
}

/** Whether a `return` / `break` / `continue` jumps out of `container` (rather than within a loop inside it). */
function leavesSection(exit: Exit, container: TSESTree.Node): boolean {
  if (exit.type === AST_NODE_TYPES.ReturnStatement) return true;
  for (let node: TSESTree.Node | undefined = exit.parent; node && node !== container; node = node.parent) {
    if (exit.label) {
      if (node.type === AST_NODE_TYPES.LabeledStatement && node.label.name === exit.label.name) return false;
    } else if (isLoop(node) || (exit.type === AST_NODE_TYPES.BreakStatement && node.type === AST_NODE_TYPES.SwitchStatement)) {
      return false;
    }
  }
  return true;
}

/** Whether some release runs before `exit` on its way out of `container` (see {@link earlyExit}). */
function releasedBefore(exit: Exit, container: TSESTree.Node, releases: readonly LockMethodCall[]): boolean {
  const isRelease = (node: TSESTree.Node): boolean => releases.some((release) => contains(node, release.call));
  if (exit.type === AST_NODE_TYPES.ReturnStatement && exit.argument && isRelease(exit.argument)) return true;
  for (let node: TSESTree.Node = exit; node !== container && node.parent; node = node.parent) {
    const parent: TSESTree.Node = node.parent;
    if (parent.type === AST_NODE_TYPES.TryStatement && parent.finalizer && parent.finalizer !== node && isRelease(parent.finalizer)) {
      return true;
    }
    const siblings =
      parent.type === AST_NODE_TYPES.BlockStatement || parent.type === AST_NODE_TYPES.Program
        ? parent.body
        : parent.type === AST_NODE_TYPES.SwitchCase
          ? parent.consequent
          : undefined;
    const index = siblings ? siblings.indexOf(node as TSESTree.Statement) : -1;
    if (siblings && siblings.slice(0, Math.max(index, 0)).some(isRelease)) return true;
  }
  return false;
}

/** Every child node, by own property (no visitor keys reach this module; `parent` is the one back edge). */
function forEachChild(node: TSESTree.Node, visit: (child: TSESTree.Node) => void): void {
  for (const [key, value] of Object.entries(node)) {
    if (key === 'parent') continue;
    for (const item of Array.isArray(value) ? value : [value]) if (isNode(item)) visit(item);
  }
}

/** `await lock.release();` (or without `await`) as a statement: the release it makes, if it is one of `releases`. */
function releaseStatementOf(
  statement: TSESTree.Node,
  releases: readonly LockMethodCall[],
): LockMethodCall | undefined {
  if (statement.type !== AST_NODE_TYPES.ExpressionStatement) return undefined;
  const expression =
    statement.expression.type === AST_NODE_TYPES.AwaitExpression ? statement.expression.argument : statement.expression;
  return releases.find((release) => release.call === expression);
}

function unprotected(
  problem: Extract<Protection, { kind: 'unprotected' }>['problem'],
  releases: readonly LockMethodCall[],
  tryStatement: TSESTree.TryStatement | undefined,
): Protection {
  return { kind: 'unprotected', problem, releases, tryStatement };
}

/** A `try` around the acquisition whose `finally` releases the lock: `try { await lock.block(5); … } finally { … }`. */
function coveringTry(
  call: TSESTree.CallExpression,
  fn: Scope,
  lock: LockRef,
  analysis: LockAnalysis,
): Protection | undefined {
  const releases = analysis.releasesOf(lock);
  for (let node: TSESTree.Node | undefined = call.parent; node && node !== fn; node = node.parent) {
    if (node.type !== AST_NODE_TYPES.TryStatement || !node.finalizer || !contains(node.block, call)) continue;
    const release = releasesIn(node.finalizer, releases)[0];
    if (release) return { kind: 'finally', tryStatement: node, release };
  }
  return undefined;
}

function enclosingTry(call: TSESTree.Node, fn: Scope): TSESTree.TryStatement | undefined {
  for (let node: TSESTree.Node | undefined = call.parent; node && node !== fn; node = node.parent) {
    if (node.type === AST_NODE_TYPES.TryStatement && contains(node.block, call)) return node;
  }
  return undefined;
}

function releasesIn(region: TSESTree.Node, releases: readonly LockMethodCall[]): LockMethodCall[] {
  return releases.filter((release) => contains(region, release.call));
}

/** The `try` whose `finally` block holds `node` (within `fn`), if any. */
function finallyOf(node: TSESTree.Node, fn: Scope): TSESTree.TryStatement | undefined {
  for (let current: TSESTree.Node | undefined = node; current && current !== fn; current = current.parent) {
    const parent: TSESTree.Node | undefined = current.parent;
    if (parent?.type === AST_NODE_TYPES.TryStatement && parent.finalizer === current) return parent;
  }
  return undefined;
}

function inCatch(node: TSESTree.Node, fn: Scope): boolean {
  for (let current: TSESTree.Node | undefined = node.parent; current && current !== fn; current = current.parent) {
    if (current.type === AST_NODE_TYPES.CatchClause) return true;
  }
  return false;
}

/** How many statements run between the acquiring statement and the statement that tests its result. */
function statementsBetween(statement: TSESTree.Statement | undefined, anchor: TSESTree.Statement | undefined): number {
  if (!statement || !anchor || statement === anchor) return 0;
  const from = statementPosition(statement);
  const to = statementPosition(anchor);
  if (!from || !to || from.list !== to.list) return 0;
  return Math.max(0, to.index - from.index - 1);
}

/** Whether the acquiring function alone holds the lock: a chained call, or a local (non-parameter) variable. */
function ownedBy(lock: LockRef, fn: Scope): boolean {
  if (lock.binding === 'chain') return true;
  if (lock.binding !== 'variable' || !lock.variable) return false;
  return lock.variable.defs.every(
    (def) => def.type === TSESLint.Scope.DefinitionType.Variable && enclosingFunction(def.name) === fn,
  );
}

/**
 * A module-level (or outer-function) variable acquired here and released nowhere in the file, never exported
 * nor handed on: nobody can release it. Anything else about an outer lock is the other code's business.
 */
function outerVariableVerdict(lock: LockRef, releases: readonly LockMethodCall[]): Protection | undefined {
  if (lock.binding !== 'variable' || !lock.variable || releases.length > 0) return undefined;
  const isLocalDeclaration = lock.variable.defs.every(
    (def) => def.type === TSESLint.Scope.DefinitionType.Variable,
  );
  if (!isLocalDeclaration || escapeOf(lock, 0)) return undefined;
  return unprotected('noRelease', releases, undefined);
}

/** How a locally held lock leaves the function, if it does (first escape found). */
/**
 * The lock arguments of its own releases (redlock's `redlock.release(lock)`): passing the lock there releases
 * it, it does not hand it over.
 */
function releaseArguments(releases: readonly LockMethodCall[]): ReadonlySet<TSESTree.Node> {
  return new Set(releases.filter((release) => release.call.arguments.includes(release.receiver as never)).map((release) => release.receiver));
}

function escapeOf(lock: LockRef, depth: number, ignored: ReadonlySet<TSESTree.Node> = new Set()): Protection | undefined {
  const variable = lock.variable;
  if (!variable || depth > 4) return undefined;
  for (const def of variable.defs) {
    if (
      def.type === TSESLint.Scope.DefinitionType.Variable &&
      def.parent.parent?.type === AST_NODE_TYPES.ExportNamedDeclaration
    ) {
      return { kind: 'escapes', how: 'exported', node: def.name };
    }
  }
  for (const reference of variable.references) {
    if (!reference.isRead() || ignored.has(outermost(reference.identifier as TSESTree.Node))) continue;
    const how = escapeOfUse(reference.identifier as TSESTree.Identifier);
    if (how) return { kind: 'escapes', how: how.how, node: how.node };
    // `const alias = lock`: the alias's uses count too.
    const use = outermost(reference.identifier as TSESTree.Node);
    const parent = use.parent;
    if (parent?.type === AST_NODE_TYPES.VariableDeclarator && parent.init === use && parent.id.type === AST_NODE_TYPES.Identifier) {
      const aliasVariable = findDeclared(variable, parent.id);
      if (aliasVariable) {
        const aliasEscape = escapeOf({ ...lock, variable: aliasVariable }, depth + 1, ignored);
        if (aliasEscape) return aliasEscape;
      }
    }
  }
  return undefined;
}

function findDeclared(variable: TSESLint.Scope.Variable, id: TSESTree.Identifier): TSESLint.Scope.Variable | undefined {
  for (let scope: TSESLint.Scope.Scope | null = variable.scope; scope; scope = scope.upper) {
    const found = scope.set.get(id.name);
    if (found?.identifiers.includes(id)) return found;
  }
  // Declared in a nested scope of the lock's: search the child scopes.
  const stack = [...variable.scope.childScopes];
  while (stack.length > 0) {
    const scope = stack.pop()!;
    const found = scope.set.get(id.name);
    if (found?.identifiers.includes(id)) return found;
    stack.push(...scope.childScopes);
  }
  return undefined;
}

/** Climbs through wrappers that keep the value (`lock!`, `lock as Lock`, `(lock)`). */
function outermost(node: TSESTree.Node): TSESTree.Node {
  let current = node;
  while (
    current.parent &&
    (current.parent.type === AST_NODE_TYPES.TSNonNullExpression ||
      current.parent.type === AST_NODE_TYPES.TSAsExpression ||
      current.parent.type === AST_NODE_TYPES.TSSatisfiesExpression)
  ) {
    current = current.parent;
  }
  return current;
}

const COMPARISONS: ReadonlySet<string> = new Set(['===', '!==', '==', '!=']);

function escapeOfUse(identifier: TSESTree.Identifier): { how: EscapeKind; node: TSESTree.Node } | undefined {
  const use = outermost(identifier);
  const parent = use.parent;
  if (!parent) return undefined;
  switch (parent.type) {
    case AST_NODE_TYPES.ReturnStatement:
    case AST_NODE_TYPES.YieldExpression:
      return { how: 'returned', node: use };
    case AST_NODE_TYPES.ArrowFunctionExpression:
      return parent.body === use ? { how: 'returned', node: use } : undefined;
    case AST_NODE_TYPES.CallExpression:
    case AST_NODE_TYPES.NewExpression:
      return parent.arguments.includes(use as TSESTree.Expression) ? { how: 'passed', node: use } : undefined;
    case AST_NODE_TYPES.AssignmentExpression:
      return parent.right === use ? { how: 'stored', node: use } : undefined;
    case AST_NODE_TYPES.Property:
      return parent.value === use ? { how: 'stored', node: use } : undefined;
    case AST_NODE_TYPES.ArrayExpression:
    case AST_NODE_TYPES.SpreadElement:
    case AST_NODE_TYPES.PropertyDefinition:
      return { how: 'stored', node: use };
    case AST_NODE_TYPES.ExportSpecifier:
    case AST_NODE_TYPES.ExportDefaultDeclaration:
      return { how: 'exported', node: use };
    case AST_NODE_TYPES.MemberExpression: {
      // The owner token saved for a later `restoreLock(name, owner)` is the lock leaving the function.
      if (parent.object !== use || parent.computed || parent.property.type !== AST_NODE_TYPES.Identifier) {
        return undefined;
      }
      if (parent.property.name !== 'owner') return undefined;
      const reader = parent.parent;
      if (reader?.type === AST_NODE_TYPES.BinaryExpression && COMPARISONS.has(reader.operator)) return undefined;
      return { how: 'owner', node: parent };
    }
    default:
      return undefined;
  }
}
