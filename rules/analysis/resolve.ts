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
import { LockRefs } from './lock-refs.js';
import { Managers, type ManagerLibrary, type ManagerOrigin } from './managers.js';
import type { ActiveProfiles } from './profiles.js';
import type { TypeOracle } from './types-oracle.js';
import type { LockCreation, LockMethodCall, LockRef } from './types.js';

export interface ResolverInput {
  readonly ast: TSESTree.Program;
  readonly scopeManager: TSESLint.Scope.ScopeManager | null;
  readonly visitorKeys: VisitorKeys;
  readonly profiles: ActiveProfiles;
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
    const imports = new ModuleImports(index, input.profiles.allModules);
    this.managers = new Managers(index, imports, input.profiles, input.types);
    this.callIndex = new Calls(index, imports, input.profiles, this);
    this.locks = new LockRefs(index, imports, input.profiles, input.types, this.callIndex);
    for (const call of [...index.callNodes, ...index.newNodes]) {
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

  /** Whether `node` evaluates to a locksmith lock manager. */
  isManager(node: TSESTree.Node): boolean {
    return this.managers.isManager(node);
  }

  /** The library whose manager `node` evaluates to (locksmith, redlock), if any. */
  managerLibrary(node: TSESTree.Node): ManagerLibrary | undefined {
    return this.managers.libraryOf(node);
  }

  /** What `node`'s manager is and, when this file shows it, the expression that created it. */
  managerOrigin(node: TSESTree.Node): ManagerOrigin | undefined {
    return this.managers.originOf(node);
  }

  /** The reference of a creation used straight off its call. */
  creationRef(creation: LockCreation): LockRef {
    return this.locks.creationRef(creation);
  }

  /** The lock `node` evaluates to, if it is one. */
  lockOf(node: TSESTree.Node): LockRef | undefined {
    return this.locks.lockOf(node);
  }
}
