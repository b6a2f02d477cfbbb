/**
 * Calls: which calls create a lock (`manager.lock(name, ttl?)`, `manager.restoreLock(name, owner)`) and which
 * call a lock's methods, with their arguments (wait/TTL durations, closure-form callbacks) picked out.
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';
import { propertyName, unwrap } from './ast.js';
import { singleInit, type FileIndex } from './file-index.js';
import {
  LOCK_METHODS,
  type FunctionLike,
  type LockCreation,
  type LockMethod,
  type LockMethodCall,
  type LockRef,
} from './types.js';

const LOCK_METHOD_SET: ReadonlySet<string> = new Set(LOCK_METHODS);

/** What the call index needs from the manager and lock resolvers. */
export interface LockLookup {
  isManager(node: TSESTree.Node): boolean;
  lockOf(node: TSESTree.Node): LockRef | undefined;
}

export class Calls {
  private readonly creations = new Map<TSESTree.Node, LockCreation>();
  private readonly lockCalls = new Map<TSESTree.Node, LockMethodCall>();

  constructor(
    private readonly index: FileIndex,
    private readonly locks: LockLookup,
  ) {}

  /** The lock creation made by `node` (`manager.lock(…)` / `manager.restoreLock(…)`), if any. */
  creationOf(node: TSESTree.Node): LockCreation | undefined {
    const cached = this.creations.get(node);
    if (cached) return cached;
    if (node.type !== AST_NODE_TYPES.CallExpression) return undefined;
    const callee = unwrap(node.callee);
    if (callee.type !== AST_NODE_TYPES.MemberExpression) return undefined;
    const method = propertyName(callee);
    if (method !== 'lock' && method !== 'restoreLock') return undefined;
    if (!this.locks.isManager(callee.object)) return undefined;
    const arg = argumentAt(node);
    const creation: LockCreation = {
      call: node,
      kind: method,
      manager: callee.object,
      name: arg(0),
      ttl: method === 'lock' ? arg(1) : undefined,
      owner: method === 'restoreLock' ? arg(1) : undefined,
    };
    this.creations.set(node, creation);
    return creation;
  }

  /** The call of a lock method `call` makes, if any. */
  lockCallOf(call: TSESTree.CallExpression): LockMethodCall | undefined {
    const known = this.lockCalls.get(call);
    if (known) return known;
    const callee = unwrap(call.callee);
    if (callee.type !== AST_NODE_TYPES.MemberExpression) return undefined;
    const method = propertyName(callee);
    if (method === undefined || !LOCK_METHOD_SET.has(method)) return undefined;
    const lock = this.locks.lockOf(callee.object);
    if (!lock) return undefined;
    const lockMethod = method as LockMethod;
    const plain = argumentAt(call);
    const callbackIndex = lockMethod === 'get' ? 0 : lockMethod === 'block' ? 1 : -1;
    const candidate = callbackIndex >= 0 ? plain(callbackIndex) : undefined;
    const callback = candidate && this.mayBeCallback(candidate) ? candidate : undefined;
    const result: LockMethodCall = {
      call,
      method: lockMethod,
      lock,
      receiver: callee.object,
      duration: lockMethod === 'block' || lockMethod === 'refresh' ? plain(0) : undefined,
      callback,
      closure: inlineFunction(callback),
    };
    this.lockCalls.set(call, result);
    return result;
  }

  /**
   * Whether an argument in the callback position may be a callback. Only what is certainly not a function
   * (an options object, `undefined`, `null`, a primitive literal) is excluded: treating an unknown value as a
   * callback means "the library releases the lock", which can only hide a finding, never invent one.
   */
  mayBeCallback(node: TSESTree.Expression): boolean {
    const expr = unwrap(node);
    if (expr.type === AST_NODE_TYPES.ObjectExpression || expr.type === AST_NODE_TYPES.Literal) return false;
    if (expr.type === AST_NODE_TYPES.TemplateLiteral || expr.type === AST_NODE_TYPES.ArrayExpression) return false;
    if (expr.type === AST_NODE_TYPES.Identifier) {
      if (expr.name === 'undefined') return false;
      const init = singleInit(this.index.variableOf(expr));
      if (init && unwrap(init).type === AST_NODE_TYPES.ObjectExpression) return false;
    }
    return true;
  }
}

/** The `index`th argument of `call` when present and not a spread. */
export function argumentAt(call: TSESTree.CallExpression | TSESTree.NewExpression) {
  return (index: number): TSESTree.Expression | undefined => {
    const value = call.arguments[index];
    return value && value.type !== AST_NODE_TYPES.SpreadElement ? value : undefined;
  };
}

/** `callback` itself when it is an inline function (its body is then the critical section). */
export function inlineFunction(callback: TSESTree.Expression | undefined): FunctionLike | undefined {
  const inline = callback ? unwrap(callback) : undefined;
  return inline &&
    (inline.type === AST_NODE_TYPES.ArrowFunctionExpression || inline.type === AST_NODE_TYPES.FunctionExpression)
    ? inline
    : undefined;
}
