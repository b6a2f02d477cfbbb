/**
 * What is a lock: the per-file resolver that ties the seams together. `imports.ts` follows the package's
 * bindings, `managers.ts` decides what is a manager, `lock-refs.ts` which lock an expression denotes, and
 * `calls.ts` which calls create or use a lock. Purely syntactic unless the parser provides a program.
 */
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import type { VisitorKeys } from './ast.js';
import { Calls } from './calls.js';
import { FileIndex } from './file-index.js';
import { ModuleImports } from './imports.js';
import { LOCKSMITH_MODULE } from './locksmith-module.js';
import { LockRefs } from './lock-refs.js';
import { Managers } from './managers.js';
import type { TypeOracle } from './types-oracle.js';
import type { LockCreation, LockMethodCall, LockRef } from './types.js';

export interface ResolverInput {
  readonly ast: TSESTree.Program;
  readonly scopeManager: TSESLint.Scope.ScopeManager | null;
  readonly visitorKeys: VisitorKeys;
  readonly lockFactories: readonly string[];
  readonly types: TypeOracle | undefined;
}

/** The per-file index of locks, managers and lock method calls. */
export class LockResolver {
  readonly creations: LockCreation[] = [];
  readonly calls: LockMethodCall[] = [];
  private readonly callByNode = new Map<TSESTree.Node, LockMethodCall>();
  private readonly managers: Managers;
  private readonly locks: LockRefs;
  private readonly callIndex: Calls;

  constructor(input: ResolverInput) {
    const index = new FileIndex(input.ast, input.scopeManager, input.visitorKeys);
    const imports = new ModuleImports(index, new Set([LOCKSMITH_MODULE]));
    this.managers = new Managers(index, imports, input.lockFactories, input.types);
    this.callIndex = new Calls(index, this);
    this.locks = new LockRefs(index, imports, input.types, this.callIndex);
    for (const call of index.callNodes) {
      const creation = this.creationOf(call);
      if (creation) this.creations.push(creation);
    }
    for (const call of index.callNodes) {
      const lockCall = this.callIndex.lockCallOf(call);
      if (lockCall) {
        this.calls.push(lockCall);
        this.callByNode.set(call, lockCall);
      }
    }
  }

  /** The lock method call made by `node`, if any. */
  callOf(node: TSESTree.Node): LockMethodCall | undefined {
    return this.callByNode.get(node);
  }

  /** The lock creation made by `node` (`manager.lock(…)` / `manager.restoreLock(…)`), if any. */
  creationOf(node: TSESTree.Node): LockCreation | undefined {
    return this.callIndex.creationOf(node);
  }

  /** Whether `node` evaluates to a lock manager. */
  isManager(node: TSESTree.Node): boolean {
    return this.managers.isManager(node);
  }

  /** The lock `node` evaluates to, if it is one. */
  lockOf(node: TSESTree.Node): LockRef | undefined {
    return this.locks.lockOf(node);
  }
}
