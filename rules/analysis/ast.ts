import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';

/**
 * Strips what does not change a value at run time: TypeScript's `as`, `satisfies`, `!`, `<T>x` and `f<T>`.
 * (ESTree has no node for parentheses, so `(5 * 60)` needs nothing.)
 */
export function skipTypeWrappers<T extends TSESTree.Node>(node: T): T | TSESTree.Expression {
  let current: T | TSESTree.Expression = node;
  while (isTypeWrapper(current)) current = current.expression;
  return current;
}

/** Like {@link skipTypeWrappers}, and also through optional-chain wrappers (`a?.b()` → the call). */
export function unwrap(node: TSESTree.Node): TSESTree.Node {
  let current = node;
  while (isTypeWrapper(current) || current.type === AST_NODE_TYPES.ChainExpression) current = current.expression;
  return current;
}

/** A TypeScript-only wrapper that does not change the value at run time (`as`, `satisfies`, `!`, `<T>x`, `f<T>`). */
export function isTypeWrapper(
  node: TSESTree.Node,
): node is
  | TSESTree.TSAsExpression
  | TSESTree.TSNonNullExpression
  | TSESTree.TSSatisfiesExpression
  | TSESTree.TSTypeAssertion
  | TSESTree.TSInstantiationExpression {
  switch (node.type) {
    case AST_NODE_TYPES.TSAsExpression:
    case AST_NODE_TYPES.TSNonNullExpression:
    case AST_NODE_TYPES.TSSatisfiesExpression:
    case AST_NODE_TYPES.TSTypeAssertion:
    case AST_NODE_TYPES.TSInstantiationExpression:
      return true;
    default:
      return false;
  }
}

/** Whether `node` is the condition of `parent` (`if`, loops, `?:`): where a Promise is always truthy. */
export function isTestOf(parent: TSESTree.Node, node: TSESTree.Node): boolean {
  switch (parent.type) {
    case AST_NODE_TYPES.IfStatement:
    case AST_NODE_TYPES.WhileStatement:
    case AST_NODE_TYPES.DoWhileStatement:
    case AST_NODE_TYPES.ForStatement:
    case AST_NODE_TYPES.ConditionalExpression:
      return parent.test === node;
    default:
      return false;
  }
}

/** The static name of a member's property (`a.b`, `a['b']`, `a.#b` → `'#b'`), or `undefined` when computed. */
export function propertyName(member: TSESTree.MemberExpression): string | undefined {
  const { property } = member;
  if (!member.computed) {
    if (property.type === AST_NODE_TYPES.Identifier) return property.name;
    if (property.type === AST_NODE_TYPES.PrivateIdentifier) return `#${property.name}`;
    return undefined;
  }
  if (property.type === AST_NODE_TYPES.Literal && typeof property.value === 'string') return property.value;
  if (property.type === AST_NODE_TYPES.TemplateLiteral && property.expressions.length === 0) {
    return property.quasis[0]?.value.cooked ?? undefined;
  }
  return undefined;
}

/** The static name of a class member's key (`x`, `'x'`, `#x`), or `undefined` when computed. */
export function keyName(key: TSESTree.Node, computed: boolean): string | undefined {
  if (key.type === AST_NODE_TYPES.PrivateIdentifier) return `#${key.name}`;
  if (!computed && key.type === AST_NODE_TYPES.Identifier) return key.name;
  if (key.type === AST_NODE_TYPES.Literal && typeof key.value === 'string') return key.value;
  return undefined;
}

/** A function node of any kind. */
export type AnyFunction =
  | TSESTree.ArrowFunctionExpression
  | TSESTree.FunctionDeclaration
  | TSESTree.FunctionExpression;

export function isFunction(node: TSESTree.Node): node is AnyFunction {
  return (
    node.type === AST_NODE_TYPES.ArrowFunctionExpression ||
    node.type === AST_NODE_TYPES.FunctionDeclaration ||
    node.type === AST_NODE_TYPES.FunctionExpression
  );
}

/** The innermost function containing `node` (not `node` itself), or the `Program`. */
export function enclosingFunction(node: TSESTree.Node): AnyFunction | TSESTree.Program {
  let current: TSESTree.Node = node;
  while (current.parent) {
    current = current.parent;
    if (isFunction(current) || current.type === AST_NODE_TYPES.Program) return current;
  }
  // Only reachable for a detached node: its root stands in for the program rather than throwing mid-lint.
  return current as TSESTree.Program;
}

/** Whether `inner` is `outer` or lies inside it. */
export function contains(outer: TSESTree.Node, inner: TSESTree.Node): boolean {
  return outer.range[0] <= inner.range[0] && inner.range[1] <= outer.range[1];
}

/** The class whose `this` a node sees (arrow functions see through; other functions stop), if any. */
export function thisClass(node: TSESTree.Node): TSESTree.ClassDeclaration | TSESTree.ClassExpression | undefined {
  let current = node.parent;
  while (current) {
    if (current.type === AST_NODE_TYPES.ClassDeclaration || current.type === AST_NODE_TYPES.ClassExpression) {
      return current;
    }
    if (
      current.type === AST_NODE_TYPES.FunctionDeclaration ||
      current.type === AST_NODE_TYPES.FunctionExpression
    ) {
      const owner = current.parent;
      const isMember =
        owner?.type === AST_NODE_TYPES.MethodDefinition ||
        owner?.type === AST_NODE_TYPES.PropertyDefinition ||
        owner?.type === AST_NODE_TYPES.TSAbstractMethodDefinition;
      if (!isMember) return undefined;
    }
    current = current.parent;
  }
  return undefined;
}

/** A loop statement: what an unlabelled `continue` (and, with `switch`, `break`) belongs to. */
export function isLoop(
  node: TSESTree.Node,
): node is
  | TSESTree.ForStatement
  | TSESTree.ForInStatement
  | TSESTree.ForOfStatement
  | TSESTree.WhileStatement
  | TSESTree.DoWhileStatement {
  switch (node.type) {
    case AST_NODE_TYPES.ForStatement:
    case AST_NODE_TYPES.ForInStatement:
    case AST_NODE_TYPES.ForOfStatement:
    case AST_NODE_TYPES.WhileStatement:
    case AST_NODE_TYPES.DoWhileStatement:
      return true;
    default:
      return false;
  }
}

/** ESLint's visitor keys: which properties of a node type hold its children. */
export type VisitorKeys = Readonly<Record<string, readonly string[] | undefined>>;

/** Whether `value` is an AST node (a child slot may hold `null`, a token list or a primitive). */
export function isNode(value: unknown): value is TSESTree.Node {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/** The child nodes of `node`, in visitor-key order. */
export function childNodes(node: TSESTree.Node, visitorKeys: VisitorKeys): TSESTree.Node[] {
  const children: TSESTree.Node[] = [];
  for (const key of visitorKeys[node.type] ?? []) {
    const child = (node as unknown as Record<string, unknown>)[key];
    if (Array.isArray(child)) {
      for (const item of child) if (isNode(item)) children.push(item);
    } else if (isNode(child)) {
      children.push(child);
    }
  }
  return children;
}

/**
 * Visits `root` and every node below it, without recursion (deep files must not overflow the stack). Sets
 * `parent` on children that lack it: ESLint sets it before rules run, and direct callers (tests) need it too.
 */
export function walk(root: TSESTree.Node, visitorKeys: VisitorKeys, visit: (node: TSESTree.Node) => void): void {
  const stack: TSESTree.Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    visit(node);
    for (const child of childNodes(node, visitorKeys)) {
      if (!child.parent) (child as { parent?: TSESTree.Node }).parent = node;
      stack.push(child);
    }
  }
}

/**
 * Whether `test` holds for every node of `root` (depth first, stopping at the first failure). `test` may
 * return `'skip'` to accept a node without looking inside it.
 */
export function everyNode(
  root: TSESTree.Node,
  visitorKeys: VisitorKeys,
  test: (node: TSESTree.Node) => boolean | 'skip',
): boolean {
  const verdict = test(root);
  if (verdict === 'skip') return true;
  if (!verdict) return false;
  return childNodes(root, visitorKeys).every((child) => everyNode(child, visitorKeys, test));
}

/** The whitespace that starts the line `node` starts on. */
export function lineIndent(lines: readonly string[], node: TSESTree.Node): string {
  return /^\s*/.exec(lines[node.loc.start.line - 1] ?? '')?.[0] ?? '';
}

/** One indentation step in the style of `indent` (a tab if it uses tabs, else two spaces). */
export function indentUnit(indent: string): string {
  return indent.includes('\t') ? '\t' : '  ';
}

/** Indents every line of `text` but the first (and blank ones) by `unit`: `text` moves one block deeper. */
export function reindent(text: string, unit: string): string {
  return text
    .split('\n')
    .map((line, i) => (i === 0 || line.trim() === '' ? line : unit + line))
    .join('\n');
}

/**
 * What a report on a method call underlines: from the method name to the closing parenthesis (`get()` in
 * `locks.lock(k, 30).get()`), so that every rule marks an acquisition, a release or a creation the same way
 * however long the receiver chain is. A call whose callee is not a member is underlined whole.
 */
export function methodCallLoc(call: TSESTree.CallExpression): TSESTree.SourceLocation {
  const callee = unwrap(call.callee);
  const start = callee.type === AST_NODE_TYPES.MemberExpression ? callee.property.loc.start : call.loc.start;
  return { start, end: call.loc.end };
}
