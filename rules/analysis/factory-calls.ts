/**
 * The fast path's second stage: settles a file the token check leaves open only because it names a lock
 * factory (`cache`) and a creating method (`lock`), without walking the file.
 *
 * In such a file (no lock module, no profile receiver name, no type information: `prefilterVerdict` says
 * `factory-calls`) the analysis can find a lock only through a creation `receiver.lock(…)` /
 * `receiver.restoreLock(…)` whose receiver is a locksmith manager: nothing else makes or names a lock there
 * (lock references start at a creation, an import, a profile name or a type). So each call of a creating method
 * is found from its token, and its receiver is put to the analysis's own manager resolver (`Managers`, the code
 * `callCreation` asks), which follows it through variables, fields and `this.x = …` writes to a factory name
 * or nothing. Bindings come from ESLint's scope analysis (already built), looked up around the few identifiers
 * it follows (`LazyBindingIndex`); no node of the file is visited but those.
 */
import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { isNode, isTypeWrapper, propertyName, type VisitorKeys } from './ast.js';
import { LOCKSMITH_CREATION_METHODS } from './calls.js';
import { LazyBindingIndex } from './file-index.js';
import { ModuleImports } from './imports.js';
import { Managers } from './managers.js';
import { ActiveProfiles } from './profiles.js';
import type { LocksmithSettings } from './settings.js';

const CREATING_METHODS: ReadonlySet<string> = new Set(LOCKSMITH_CREATION_METHODS);

/** What the second stage reads of the file ESLint is linting. */
export interface FactoryCallSource {
  readonly ast: TSESTree.Program;
  readonly visitorKeys: VisitorKeys;
  /** The innermost scope around a node (`sourceCode.getScope`). */
  readonly scopeOf: (node: TSESTree.Node) => TSESLint.Scope.Scope;
}

/**
 * Whether some call among those of `methodTokens` (every token naming a creating method) may create a locksmith
 * lock: its receiver is a manager as the analysis resolves it. `false` only when every such token was placed in
 * the tree and is not, or is the property of a call whose receiver is no manager.
 */
export function factoryCallsMayCreate(
  source: FactoryCallSource,
  methodTokens: readonly TSESLint.AST.Token[],
  settings: LocksmithSettings,
): boolean {
  if (methodTokens.length === 0) return false;
  const profiles = new ActiveProfiles(settings);
  const index = new LazyBindingIndex(source.scopeOf, source.visitorKeys);
  const managers = new Managers(index, new ModuleImports(index, profiles.allModules), profiles, undefined);
  for (const token of methodTokens) {
    const leaf = nodeAt(source.ast, token.range[0], source.visitorKeys);
    if (!covers(leaf, token)) return true; // not where the token is: no claim about it
    const member = creationCallee(leaf);
    if (member && managers.libraryOf(member.object) === 'locksmith') return true;
  }
  return false;
}

/** The node types a creating method's token can be the whole of (an identifier, a string, a template's text). */
function covers(node: TSESTree.Node, token: TSESLint.AST.Token): boolean {
  return (
    (node.type === AST_NODE_TYPES.Identifier ||
      node.type === AST_NODE_TYPES.PrivateIdentifier ||
      node.type === AST_NODE_TYPES.Literal ||
      node.type === AST_NODE_TYPES.TemplateElement ||
      node.type === AST_NODE_TYPES.JSXIdentifier ||
      node.type === AST_NODE_TYPES.JSXText) &&
    node.range[0] <= token.range[0] &&
    token.range[1] <= node.range[1]
  );
}

/**
 * The member expression whose property `leaf` is, when that member (through type wrappers and optional
 * chains, as `unwrap` sees through them) is the callee of a call and its name is a creating method: the shape
 * `callCreation` accepts. `undefined` for any other place a name can be.
 */
function creationCallee(leaf: TSESTree.Node): TSESTree.MemberExpression | undefined {
  const property = leaf.type === AST_NODE_TYPES.TemplateElement ? leaf.parent : leaf;
  const member = property?.parent;
  if (member?.type !== AST_NODE_TYPES.MemberExpression || member.property !== property) return undefined;
  const method = propertyName(member);
  if (method === undefined || !CREATING_METHODS.has(method)) return undefined;
  let callee: TSESTree.Node = member;
  while (
    callee.parent &&
    (isTypeWrapper(callee.parent) || callee.parent.type === AST_NODE_TYPES.ChainExpression) &&
    callee.parent.expression === callee
  ) {
    callee = callee.parent;
  }
  const call = callee.parent;
  return call?.type === AST_NODE_TYPES.CallExpression && call.callee === callee ? member : undefined;
}

/**
 * The deepest node whose range holds `offset`, found by descending from `root` (children in source order, so a
 * list is searched by bisection). Sets `parent` on the way down where it is missing, as `walk` does.
 */
export function nodeAt(root: TSESTree.Node, offset: number, visitorKeys: VisitorKeys): TSESTree.Node {
  let node = root;
  descend: for (;;) {
    for (const key of visitorKeys[node.type] ?? []) {
      const slot = (node as unknown as Record<string, unknown>)[key];
      const child = Array.isArray(slot) ? childAt(slot, offset) : isNode(slot) && holds(slot, offset) ? slot : undefined;
      if (child) {
        if (!child.parent) (child as { parent?: TSESTree.Node }).parent = node;
        node = child;
        continue descend;
      }
    }
    return node;
  }
}

function holds(node: TSESTree.Node, offset: number): boolean {
  return node.range[0] <= offset && offset < node.range[1];
}

/** The node of `list` (in source order, holes allowed) whose range holds `offset`. */
function childAt(list: readonly unknown[], offset: number): TSESTree.Node | undefined {
  let low = 0;
  let high = list.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const item = list[middle];
    if (!isNode(item)) return list.find((entry): entry is TSESTree.Node => isNode(entry) && holds(entry, offset));
    if (offset < item.range[0]) high = middle - 1;
    else if (offset >= item.range[1]) low = middle + 1;
    else return item;
  }
  return undefined;
}
