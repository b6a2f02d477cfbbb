import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import type { LibraryId } from './libraries.js';

export type { LibraryId } from './libraries.js';

/** The methods of a locksmith `Lock` that the rules care about. */
export const LOCK_METHODS = [
  'get',
  'block',
  'release',
  'refresh',
  'forceRelease',
  'isLocked',
  'isOwnedByCurrentProcess',
] as const;

/** A method of a locksmith `Lock`. */
export type LockMethod = (typeof LOCK_METHODS)[number];

/** The methods that acquire a lock. */
export type AcquireMethod = Extract<LockMethod, 'get' | 'block'>;

/** An inline function: what the closure forms take. */
export type FunctionLike =
  | TSESTree.ArrowFunctionExpression
  | TSESTree.FunctionExpression
  | TSESTree.FunctionDeclaration;

/**
 * Where a lock comes from: locksmith's `.lock(name, ttl?)` / `.restoreLock(name, owner)` on a manager;
 * redlock's `redlock.acquire(resources, ttl, settings?)` / `redlock.using(…)` (kind `acquire`: the lock exists
 * once acquired); redis-semaphore's `new Mutex(client, key, options?)` and async-mutex's `new Mutex()` /
 * `withTimeout(…)` (kind `new`).
 */
export interface LockCreation {
  /** The creating call, e.g. `locks.lock('import:batch:1', 120)`, `new Mutex(redis, 'sync:user:1')`. */
  readonly call: TSESTree.CallExpression | TSESTree.NewExpression;
  /** Which factory made it. */
  readonly kind: 'lock' | 'restoreLock' | 'acquire' | 'new';
  /** The library whose lock it is. */
  readonly library: LibraryId;
  /** The manager expression the method is called on (`locks`, `this.locks`, `Cache`, `redlock`); for `new`, the callee. */
  readonly manager: TSESTree.Expression;
  /** The (first) name argument, when present and not a spread. Evaluate it with `static-values.ts`. */
  readonly name: TSESTree.Expression | undefined;
  /**
   * Every lock name it takes: locksmith's name, the elements of redlock's literal resources array, redis-semaphore's
   * key; none for async-mutex.
   */
  readonly names: readonly TSESTree.Expression[];
  /**
   * The TTL argument: locksmith's `lock(name, ttl)` (seconds; `undefined` when omitted: never expires), redlock's
   * duration (milliseconds). redis-semaphore's TTL is an option: see `library-timing.ts`.
   */
  readonly ttl: TSESTree.Expression | undefined;
  /** The options / settings argument (locksmith's lock options, redlock's per-call settings, redis-semaphore's options). */
  readonly options: TSESTree.Expression | undefined;
  /** The owner argument of `restoreLock(name, owner)`. */
  readonly owner: TSESTree.Expression | undefined;
}

/** How the code holds on to a lock. */
export type LockBinding =
  /** Used straight off the creating call: `locks.lock(k, 30).get()`. */
  | 'chain'
  /** A variable or parameter (`const lock = locks.lock(…)`, `await using held = …`, `(lock: Lock) => …`). */
  | 'variable'
  /** A class field (`this.lock = locks.lock(…)`, `#lock = …`). */
  | 'field'
  /** Known to be a lock only from type information (e.g. `getLock().get()`). */
  | 'typed';

/**
 * One lock as the file holds it. Two `LockRef`s denote the same lock exactly when their `id`s are identical
 * (see {@link LockAnalysis.sameLock}); aliases (`const l = this.lock`) resolve to the aliased lock.
 */
export interface LockRef {
  /** Identity: the variable, a per-class-field token, or the creating call / receiver node. */
  readonly id: object;
  /** The library whose lock it is. */
  readonly library: LibraryId;
  readonly binding: LockBinding;
  /** The creation(s) bound to it, first one first; empty when the lock came from elsewhere (a parameter, a type). */
  readonly creations: readonly LockCreation[];
  /** The first of `creations`, for the common single-creation case. */
  readonly creation: LockCreation | undefined;
  /** The variable holding the lock, for `binding: 'variable'`. */
  readonly variable: TSESLint.Scope.Variable | undefined;
  /** The class and field name (`#name` for private fields) holding the lock, for `binding: 'field'`. */
  readonly field: { readonly classNode: TSESTree.ClassDeclaration | TSESTree.ClassExpression; readonly name: string } | undefined;
  /** Declared with `using`/`await using`: disposal releases it, whatever happens. */
  readonly disposed: boolean;
}

/**
 * A call of one of {@link LOCK_METHODS} on a lock, or of a library method in that role: `method` is the role
 * (`block` = waits and throws: redlock/redis-semaphore/async-mutex `acquire()`, `using()`, `runExclusive()`;
 * `get` = one attempt resolving a boolean: redis-semaphore `tryAcquire()`; `refresh` = redlock `extend()`),
 * `name` the method as the library spells it.
 */
export interface LockMethodCall {
  /** The call, e.g. `lock.block(10)`. Report here for "the acquiring call". */
  readonly call: TSESTree.CallExpression;
  readonly method: LockMethod;
  /** The method as written (`block`, `acquire`, `tryAcquire`, `runExclusive`, `using`, `extend`, `release`). */
  readonly name: string;
  /** The library whose call it is. */
  readonly library: LibraryId;
  /** Whether it returns a Promise (async-mutex's `release()` and `isLocked()` do not). */
  readonly async: boolean;
  readonly lock: LockRef;
  /** The expression the method is called on (`lock`, `this.lock`, `locks.lock(k, 30)`). */
  readonly receiver: TSESTree.Expression;
  /** `block(wait, …)`'s wait argument, or `refresh(ttl)` / redlock `extend(ms)`'s TTL argument. */
  readonly duration: TSESTree.Expression | undefined;
  /**
   * The callback of the closure forms `get(fn)` / `block(wait, fn)`, whatever expression it is
   * (`this.work`, `handler`, an inline function). Present means the library releases the lock itself.
   */
  readonly callback: TSESTree.Expression | undefined;
  /** The callback when it is an inline function: its body is the critical section. */
  readonly closure: FunctionLike | undefined;
}

/** A `get()` or `block()` call (or a library's acquire in that role): with a callback (closure form) or without one. */
export interface Acquisition extends LockMethodCall {
  readonly method: AcquireMethod;
  /**
   * The variable the acquired value is bound to when that value is what releases the lock: async-mutex's
   * `const release = await mutex.acquire()` (or `const [, release] = await semaphore.acquire()`).
   */
  readonly handle: TSESLint.Scope.Variable | undefined;
  /** The lock creation this acquisition is itself (redlock's `acquire()` / `using()`), if any. */
  readonly creation: LockCreation | undefined;
}

/** How a critical section is delimited. */
export type CriticalSectionKind =
  /** The body of the closure of `get(fn)` / `block(wait, fn)`. */
  | 'closure'
  /** `if (await lock.get()) { … }` (also through a variable: `const ok = await lock.get(); if (ok) { … }`). */
  | 'if'
  /** The `else` of `if (!(await lock.get())) { … } else { … }`. */
  | 'else'
  /** The statements after `if (!(await lock.get())) return;` (or throw / continue / break). */
  | 'guard'
  /** The statements after `await lock.block(w);` or `await lock.get();` in the same block. */
  | 'sequence';

/** The code that runs while an acquisition holds its lock. */
export interface CriticalSection {
  readonly acquisition: Acquisition;
  readonly kind: CriticalSectionKind;
  /**
   * Whether the section runs only when the lock was acquired. `false` for `await lock.get(); work();`
   * (the result is not tested); `true` for closures, tests of `get()`'s result, and `block()` (which throws).
   */
  readonly guarded: boolean;
  /** The statements of the section in order (a closure with an expression body: that one expression). */
  readonly body: readonly (TSESTree.Statement | TSESTree.Expression)[];
  /** The statement list that holds the section (a `BlockStatement`, `Program`, `SwitchCase`, or the closure). */
  readonly container: TSESTree.Node;
  /**
   * The statement in `container` that performs or tests the acquisition (`if (…)`, `await lock.block(w);`),
   * `undefined` for closures.
   */
  readonly anchor: TSESTree.Statement | undefined;
  /**
   * The statement holding the acquiring call: the `anchor` itself, or for `const ok = await lock.get(); …
   * if (!ok) return;` the declaration (statements between it and the `anchor` run before the section is
   * known to hold the lock). `undefined` for closures.
   */
  readonly statement: TSESTree.Statement | undefined;
}

/** Why a lock held without a callback is (or is not) released on every path. */
export type Protection =
  /** Closure form: the library releases it. */
  | { readonly kind: 'callback' }
  /** `using` / `await using`: disposal releases it. */
  | { readonly kind: 'disposed' }
  /** Someone else releases it: returned, stored outside the function, passed to a call, or its owner token saved. */
  | { readonly kind: 'escapes'; readonly how: EscapeKind; readonly node: TSESTree.Node }
  /** Released as the very first thing after the acquisition (`if (await lock.get()) await lock.release();`). */
  | { readonly kind: 'immediate'; readonly release: LockMethodCall }
  /** Released in a `finally` that covers the whole critical section. */
  | { readonly kind: 'finally'; readonly tryStatement: TSESTree.TryStatement; readonly release: LockMethodCall }
  /** A shape the analysis does not follow (a promise chain, `return lock.get()`): rules stay silent. */
  | { readonly kind: 'unknown' }
  /** Not released on every path; `problem` says how. */
  | {
      readonly kind: 'unprotected';
      readonly problem: ReleaseProblem;
      /** Releases of this lock found in the enclosing function. */
      readonly releases: readonly LockMethodCall[];
      /** The `try` involved (the late one for `statementsBeforeTry`, the wrong one for `finallyReleasesOtherLock`). */
      readonly tryStatement: TSESTree.TryStatement | undefined;
      /** For `notReleasedOnExit`: the `return` / `break` / `continue` that leaves before the release. */
      readonly exit?: TSESTree.ReturnStatement | TSESTree.BreakStatement | TSESTree.ContinueStatement;
    };

/** How a lock leaves the function that acquires it. */
export type EscapeKind =
  | 'returned'
  | 'stored'
  | 'passed'
  | 'owner'
  | 'outer'
  | 'exported'
  /** Released from a nested function (`setTimeout(() => lock.release())`, `.finally(() => lock.release())`). */
  | 'deferred';

/** What is wrong with the release of an acquired lock. */
export type ReleaseProblem =
  /** No release runs on the path where the lock is held (none at all, or only in another branch). */
  | 'noRelease'
  /** A `return` / `break` / `continue` in the critical section leaves before the release. */
  | 'notReleasedOnExit'
  | 'releaseNotInFinally'
  | 'releaseInCatchOnly'
  | 'statementsBeforeTry'
  | 'finallyReleasesOtherLock';

/** A lock's TTL and its acquisition's wait, both in milliseconds (`wait` may be `Infinity`). */
export interface Timing {
  readonly ttl: number;
  readonly wait: number;
  /** Which settings make the wait, for messages: `retryCount: -1`, `acquireTimeout`, … */
  readonly waitSource: string;
}

/** Everything the rules need to know about locks in one file, computed once per file. */
export interface LockAnalysis {
  /** Every `.lock()` / `.restoreLock()` call on a lock manager, in source order. */
  readonly creations: readonly LockCreation[];
  /** Every lock method call, in source order. */
  readonly calls: readonly LockMethodCall[];
  /** The `get()` / `block()` calls among {@link calls}. */
  readonly acquisitions: readonly Acquisition[];
  /** The lock method call made by `node`, if it is one. */
  callOf(node: TSESTree.Node): LockMethodCall | undefined;
  /** The lock creation made by `node`, if it is one. */
  creationOf(node: TSESTree.Node): LockCreation | undefined;
  /** The lock `expression` evaluates to, if it is one (`lock`, `this.lock`, `locks.lock(k)`). */
  lockOf(expression: TSESTree.Node): LockRef | undefined;
  /** Whether `expression` is a lock manager (`createLocks()` result, a configured factory name, or typed). */
  isManager(expression: TSESTree.Node): boolean;
  /** Whether two references denote the same lock. */
  sameLock(a: LockRef, b: LockRef): boolean;
  /** The `release()` / `forceRelease()` calls of `lock` anywhere in the file, in source order. */
  releasesOf(lock: LockRef): readonly LockMethodCall[];
  /** Where `acquisition` holds its lock, or `undefined` when the code shape is not one the analysis knows. */
  criticalSection(acquisition: Acquisition): CriticalSection | undefined;
  /** Whether (and how) `acquisition`'s lock is released on every path. */
  protection(acquisition: Acquisition): Protection;
  /**
   * The static TTL and wait of a library creation in milliseconds: redlock's `acquire()` (its TTL argument, the
   * wait from its retry settings) and redis-semaphore's constructor (`lockTimeout`, `acquireTimeout`, only when
   * `refreshInterval: 0`); `undefined` when unknown or not applicable (locksmith: see `no-ttl-shorter-than-wait`).
   */
  timingOf(creation: LockCreation): Timing | undefined;
}
