/**
 * Calls: which calls create a lock (locksmith's `manager.lock(name, ttl?)` / `restoreLock(name, owner)`, redlock's
 * `acquire`/`using`, redis-semaphore's and async-mutex's constructors, async-mutex's `withTimeout`) and which
 * call a lock's methods, each mapped to its role (see {@link LockMethodCall}) with its arguments picked out.
 */
import { AST_NODE_TYPES, TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { propertyName, unwrap } from './ast.js';
import { singleInit, type FileIndex, type Variable } from './file-index.js';
import type { ModuleImports } from './imports.js';
import { ASYNC_MUTEX_CLASSES, REDIS_SEMAPHORE_CLASSES, type LibraryId } from './libraries.js';
import type { ManagerLibrary } from './managers.js';
import type { ActiveProfiles } from './profiles.js';
import {
  LOCK_METHODS,
  type Acquisition,
  type FunctionLike,
  type LockCreation,
  type LockMethod,
  type LockMethodCall,
  type LockRef,
} from './types.js';

const { DefinitionType } = TSESLint.Scope;
const LOCK_METHOD_SET: ReadonlySet<string> = new Set(LOCK_METHODS);

/** What the call index needs from the manager and lock resolvers. */
export interface LockLookup {
  managerLibrary(node: TSESTree.Node): ManagerLibrary | undefined;
  lockOf(node: TSESTree.Node): LockRef | undefined;
  /** The reference of a creation used straight off its call (or, for redlock's `acquire`, its awaited value). */
  creationRef(creation: LockCreation): LockRef;
}

/** A library method in a lock role: `[role, index of the closure argument or -1, returns a Promise]`. */
type Role = readonly [LockMethod, number, boolean];

/** The lock methods of each library other than locksmith, by the name the library gives them. */
const LIBRARY_METHODS: Readonly<Record<Exclude<LibraryId, 'locksmith'>, Readonly<Record<string, Role>>>> = {
  redlock: { release: ['release', -1, true], extend: ['refresh', -1, true] },
  'redis-semaphore': { acquire: ['block', -1, true], tryAcquire: ['get', -1, true], release: ['release', -1, true] },
  'async-mutex': {
    acquire: ['block', -1, true],
    runExclusive: ['block', 0, true],
    release: ['release', -1, false],
    isLocked: ['isLocked', -1, false],
  },
};

/** The methods by which a locksmith manager creates a lock. */
export const LOCKSMITH_CREATION_METHODS = ['lock', 'restoreLock'] as const;

function isLocksmithCreationMethod(method: string): method is (typeof LOCKSMITH_CREATION_METHODS)[number] {
  return (LOCKSMITH_CREATION_METHODS as readonly string[]).includes(method);
}

/** The manager methods that create a lock: locksmith's `lock` / `restoreLock`, redlock's `acquire` / `using`. */
export const CREATION_METHODS: ReadonlySet<string> = new Set([...LOCKSMITH_CREATION_METHODS, 'acquire', 'using']);

/** Every method name through which the analysis can see a lock: the creating ones and each library's lock methods. */
export function lockMethodNames(): string[] {
  const names = new Set([...CREATION_METHODS, ...LOCK_METHODS]);
  for (const methods of Object.values(LIBRARY_METHODS)) for (const name of Object.keys(methods)) names.add(name);
  return [...names];
}

export class Calls {
  private readonly creations = new Map<TSESTree.Node, LockCreation | null>();
  private readonly lockCalls = new Map<TSESTree.Node, LockMethodCall | null>();

  constructor(
    private readonly index: FileIndex,
    private readonly imports: ModuleImports,
    private readonly profiles: ActiveProfiles,
    private readonly locks: LockLookup,
  ) {}

  /** The lock creation made by `node`, if any. */
  creationOf(node: TSESTree.Node): LockCreation | undefined {
    const cached = this.creations.get(node);
    if (cached !== undefined) return cached ?? undefined;
    let creation: LockCreation | undefined;
    if (node.type === AST_NODE_TYPES.CallExpression) creation = this.callCreation(node);
    else if (node.type === AST_NODE_TYPES.NewExpression) creation = this.constructorCreation(node);
    if (node.type === AST_NODE_TYPES.CallExpression || node.type === AST_NODE_TYPES.NewExpression) {
      this.creations.set(node, creation ?? null);
    }
    return creation;
  }

  /** The call of a lock method `call` makes, if any. */
  lockCallOf(call: TSESTree.CallExpression): LockMethodCall | undefined {
    const known = this.lockCalls.get(call);
    if (known !== undefined) return known ?? undefined;
    this.lockCalls.set(call, null); // cycle guard
    const result = this.resolveLockCall(call);
    this.lockCalls.set(call, result ?? null);
    return result;
  }

  private callCreation(node: TSESTree.CallExpression): LockCreation | undefined {
    const callee = unwrap(node.callee);
    const arg = argumentAt(node);
    if (callee.type === AST_NODE_TYPES.MemberExpression) {
      const method = propertyName(callee);
      if (method === undefined || !CREATION_METHODS.has(method)) return undefined;
      const library = this.locks.managerLibrary(callee.object);
      if (library === 'locksmith' && isLocksmithCreationMethod(method)) {
        const name = arg(0);
        return {
          call: node,
          kind: method,
          library,
          manager: callee.object,
          name,
          names: name ? [name] : [],
          ttl: method === 'lock' ? arg(1) : undefined,
          options: method === 'lock' ? arg(2) : undefined,
          owner: method === 'restoreLock' ? arg(1) : undefined,
        };
      }
      if (library === 'redlock' && (method === 'acquire' || method === 'using')) {
        const resources = arg(0) && unwrap(arg(0)!);
        const names =
          resources?.type === AST_NODE_TYPES.ArrayExpression
            ? resources.elements.filter(
                (element): element is TSESTree.Expression => element !== null && element.type !== AST_NODE_TYPES.SpreadElement,
              )
            : [];
        const settings = arg(2);
        return {
          call: node,
          kind: 'acquire',
          library,
          manager: callee.object,
          name: names[0],
          names,
          ttl: arg(1),
          // `using(resources, ttl, routine)`: the third argument is the routine, not settings.
          options: method === 'acquire' || (settings && !this.mayBeCallback(settings)) ? settings : undefined,
          owner: undefined,
        };
      }
      return undefined;
    }
    // async-mutex's `withTimeout(mutex, ms)`: a new lock object around the same mutex.
    if (
      callee.type === AST_NODE_TYPES.Identifier &&
      this.imports.isExport(this.imports.valueOf(callee), WITH_TIMEOUT, this.profiles.modules('async-mutex'))
    ) {
      return newCreation(node, 'async-mutex', callee, [], undefined);
    }
    return undefined;
  }

  private constructorCreation(node: TSESTree.NewExpression): LockCreation | undefined {
    const value = this.imports.valueOfExpression(node.callee);
    if (value?.kind !== 'export') return undefined;
    const arg = argumentAt(node);
    if (this.profiles.modules('redis-semaphore').has(value.module)) {
      const optionsIndex = REDIS_SEMAPHORE_CLASSES.get(value.name);
      if (optionsIndex === undefined) return undefined;
      const key = arg(1);
      return newCreation(node, 'redis-semaphore', node.callee, key ? [key] : [], arg(optionsIndex));
    }
    if (this.profiles.modules('async-mutex').has(value.module) && ASYNC_MUTEX_CLASSES.has(value.name)) {
      return newCreation(node, 'async-mutex', node.callee, [], undefined);
    }
    return undefined;
  }

  private resolveLockCall(call: TSESTree.CallExpression): LockMethodCall | undefined {
    const callee = unwrap(call.callee);
    if (callee.type === AST_NODE_TYPES.Identifier) return this.releaserCall(call, callee);
    if (callee.type !== AST_NODE_TYPES.MemberExpression) return undefined;
    const method = propertyName(callee);
    if (method === undefined) return undefined;
    const plain = argumentAt(call);

    // redlock's manager methods: acquire/using make and acquire the lock; release/extend take it as an argument.
    if (this.locks.managerLibrary(callee.object) === 'redlock') {
      if (method === 'acquire' || method === 'using') {
        const creation = this.creationOf(call);
        if (!creation) return undefined;
        const routine = method === 'using' ? lastCallback(call, (node) => this.mayBeCallback(node)) : undefined;
        const lock = method === 'acquire' ? (this.boundLock(call) ?? this.locks.creationRef(creation)) : this.locks.creationRef(creation);
        const acquisition: Acquisition = {
          call,
          method: 'block',
          name: method,
          library: 'redlock',
          async: true,
          lock,
          receiver: callee.object,
          duration: undefined,
          callback: routine,
          closure: inlineFunction(routine),
          handle: undefined,
          creation,
        };
        return acquisition;
      }
      if (method === 'release' || method === 'extend') {
        const target = plain(0);
        const lock = target ? this.locks.lockOf(target) : undefined;
        if (!lock || lock.library !== 'redlock' || !target) return undefined;
        return plainCall(call, method === 'release' ? 'release' : 'refresh', method, 'redlock', true, lock, target, method === 'extend' ? plain(1) : undefined);
      }
      return undefined;
    }

    const lock = this.locks.lockOf(callee.object);
    if (!lock) return undefined;
    if (lock.library === 'locksmith') {
      if (!LOCK_METHOD_SET.has(method)) return undefined;
      const lockMethod = method as LockMethod;
      const callbackIndex = lockMethod === 'get' ? 0 : lockMethod === 'block' ? 1 : -1;
      const candidate = callbackIndex >= 0 ? plain(callbackIndex) : undefined;
      const callback = candidate && this.mayBeCallback(candidate) ? candidate : undefined;
      const duration = lockMethod === 'block' || lockMethod === 'refresh' ? plain(0) : undefined;
      const result = plainCall(call, lockMethod, method, 'locksmith', true, lock, callee.object, duration, callback);
      if (!isAcquireMethod(lockMethod)) return result;
      const acquisition: Acquisition = { ...result, method: lockMethod, handle: undefined, creation: undefined };
      return acquisition;
    }
    const role = Object.hasOwn(LIBRARY_METHODS[lock.library], method) ? LIBRARY_METHODS[lock.library][method] : undefined;
    if (!role) return undefined;
    const [lockMethod, callbackIndex, async] = role;
    const candidate = callbackIndex >= 0 ? plain(callbackIndex) : undefined;
    const callback = candidate && this.mayBeCallback(candidate) ? candidate : undefined;
    const duration = lockMethod === 'refresh' ? plain(0) : undefined;
    const result = plainCall(call, lockMethod, method, lock.library, async, lock, callee.object, duration, callback);
    if (!isAcquireMethod(lockMethod)) return result;
    const handle = lock.library === 'async-mutex' && !callback ? releaserOf(call, this.index) : undefined;
    const acquisition: Acquisition = { ...result, method: lockMethod, handle, creation: undefined };
    return acquisition;
  }

  /** async-mutex: `release()` where `release` holds what an `acquire()` resolved to. */
  private releaserCall(call: TSESTree.CallExpression, callee: TSESTree.Identifier): LockMethodCall | undefined {
    const variable = this.index.variableOf(callee);
    const acquiring = variable ? acquireOfReleaser(variable) : undefined;
    const acquisition = acquiring ? this.lockCallOf(acquiring) : undefined;
    if (!acquisition || acquisition.library !== 'async-mutex' || acquisition.method !== 'block') return undefined;
    return plainCall(call, 'release', callee.name, 'async-mutex', false, acquisition.lock, callee, undefined);
  }

  /** redlock: the lock variable or field `await redlock.acquire(…)` is stored in, if it is stored at once. */
  private boundLock(call: TSESTree.CallExpression): LockRef | undefined {
    const awaited = call.parent;
    if (awaited?.type !== AST_NODE_TYPES.AwaitExpression) return undefined;
    const parent = awaited.parent;
    if (parent?.type === AST_NODE_TYPES.VariableDeclarator && parent.init === awaited && parent.id.type === AST_NODE_TYPES.Identifier) {
      return this.locks.lockOf(parent.id);
    }
    if (parent?.type === AST_NODE_TYPES.AssignmentExpression && parent.right === awaited && parent.operator === '=') {
      return this.locks.lockOf(parent.left);
    }
    return undefined;
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

const WITH_TIMEOUT: ReadonlySet<string> = new Set(['withTimeout']);

function isAcquireMethod(method: LockMethod): method is 'get' | 'block' {
  return method === 'get' || method === 'block';
}

function newCreation(
  call: TSESTree.CallExpression | TSESTree.NewExpression,
  library: LibraryId,
  manager: TSESTree.Expression,
  names: TSESTree.Expression[],
  options: TSESTree.Expression | undefined,
): LockCreation {
  return { call, kind: 'new', library, manager, name: names[0], names, ttl: undefined, options, owner: undefined };
}

function plainCall(
  call: TSESTree.CallExpression,
  method: LockMethod,
  name: string,
  library: LibraryId,
  async: boolean,
  lock: LockRef,
  receiver: TSESTree.Expression,
  duration: TSESTree.Expression | undefined,
  callback?: TSESTree.Expression,
): LockMethodCall {
  return { call, method, name, library, async, lock, receiver, duration, callback, closure: inlineFunction(callback) };
}

/** redlock's `using(resources, ttl, [settings,] routine)`: the routine is the last argument after the TTL. */
function lastCallback(
  call: TSESTree.CallExpression,
  mayBeCallback: (node: TSESTree.Expression) => boolean,
): TSESTree.Expression | undefined {
  const arg = argumentAt(call);
  for (const index of [3, 2]) {
    const candidate = arg(index);
    if (candidate && mayBeCallback(candidate)) return candidate;
  }
  return undefined;
}

/**
 * async-mutex: the variable holding the releaser an awaited `acquire()` resolves to: `const release = await
 * mutex.acquire()`, or the second element of `const [value, release] = await semaphore.acquire()`.
 */
function releaserOf(call: TSESTree.CallExpression, index: FileIndex): Variable | undefined {
  const awaited = call.parent;
  if (awaited?.type !== AST_NODE_TYPES.AwaitExpression) return undefined;
  const declarator = awaited.parent;
  if (declarator?.type !== AST_NODE_TYPES.VariableDeclarator || declarator.init !== awaited) return undefined;
  const { id } = declarator;
  const target = id.type === AST_NODE_TYPES.ArrayPattern ? id.elements[1] : id;
  return target?.type === AST_NODE_TYPES.Identifier ? index.variableOf(target) : undefined;
}

/** The `acquire()` call whose awaited result `variable` holds as a releaser (see {@link releaserOf}). */
function acquireOfReleaser(variable: Variable): TSESTree.CallExpression | undefined {
  if (variable.defs.length !== 1) return undefined;
  const def = variable.defs[0]!;
  if (def.type !== DefinitionType.Variable || !def.node.init) return undefined;
  const { id } = def.node;
  const isReleaser =
    id === def.name || (id.type === AST_NODE_TYPES.ArrayPattern && id.elements[1] === def.name);
  const init = unwrap(def.node.init);
  if (!isReleaser || init.type !== AST_NODE_TYPES.AwaitExpression) return undefined;
  const call = unwrap(init.argument);
  return call.type === AST_NODE_TYPES.CallExpression ? call : undefined;
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
