import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { getStaticString } from './static-values.js';
import type { LockRef } from './types.js';

/** The scope of a node, for static evaluation (`context.sourceCode.getScope`). */
export type ScopeOf = (node: TSESTree.Node) => TSESLint.Scope.Scope;

/**
 * The one static name every creation of `lock` gives it, if there is one: a lock from a parameter, a lock made
 * with a run-time name, or one made under two different names has none, so dynamic names never match anything.
 */
export function staticLockName(lock: LockRef, scopeOf: ScopeOf): string | undefined {
  let name: string | undefined;
  for (const creation of lock.creations) {
    // One name per lock: redlock's multi-resource locks and async-mutex's nameless ones have none to compare.
    const [only, ...more] = creation.names;
    const value = only && more.length === 0 ? getStaticString(only, scopeOf(creation.call)) : undefined;
    if (value === undefined || (name !== undefined && name !== value)) return undefined;
    name = value;
  }
  return name;
}
