import { AST_NODE_TYPES, TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { keyName, methodCallLoc, skipTypeWrappers, unwrap } from './analysis/ast.js';
import { getLockAnalysis, type LockAnalysis, type LockCreation, type LockRef } from './analysis/index.js';
import { createRule } from './utils.js';

export type Options = [];
export type MessageIds = 'freshHandle' | 'neverAcquired';

/**
 * Whether the creation's options may name an owner (`{ owner }` makes the handle another owner's, as
 * `restoreLock()` does). Anything but an object literal without an `owner` key may.
 */
function mayNameOwner(creation: LockCreation): boolean {
  const options = creation.call.arguments[2];
  if (!options) return false;
  const object = skipTypeWrappers(options);
  if (object.type !== AST_NODE_TYPES.ObjectExpression) return true;
  return object.properties.some((property) => {
    if (property.type !== AST_NODE_TYPES.Property) return true;
    const key = keyName(property.key, property.computed);
    return key === undefined || key === 'owner';
  });
}

/** A fresh handle of this code's own: made by `lock(…)` with a new owner token. */
function isFresh(creation: LockCreation): boolean {
  return creation.kind === 'lock' && !mayNameOwner(creation);
}

/**
 * Whether a local variable holds only fresh handles and is only ever used as the receiver of a method call:
 * no parameter, no other value assigned, never passed, returned, stored or aliased (anything else may acquire
 * it out of sight).
 */
function isPrivateFreshVariable(lock: LockRef, analysis: LockAnalysis): boolean {
  const { variable } = lock;
  if (!variable || lock.disposed || lock.creations.length === 0 || !lock.creations.every(isFresh)) return false;
  if (!variable.defs.every((def) => def.type === TSESLint.Scope.DefinitionType.Variable && def.node.id === def.name)) {
    return false;
  }
  if (variable.defs.some((def) => def.parent?.parent?.type === AST_NODE_TYPES.ExportNamedDeclaration)) return false;
  for (const reference of variable.references) {
    if (reference.writeExpr && !analysis.creationOf(unwrap(reference.writeExpr))) return false;
    if (!reference.isRead()) continue;
    const identifier = reference.identifier as TSESTree.Node;
    const member = identifier.parent;
    const isReceiver =
      member?.type === AST_NODE_TYPES.MemberExpression &&
      member.object === identifier &&
      member.parent?.type === AST_NODE_TYPES.CallExpression &&
      member.parent.callee === member;
    if (!isReceiver) return false;
  }
  return true;
}

export default createRule<Options, MessageIds>({
  name: 'no-release-without-acquire',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow `release()` on a lock handle this code never acquired nor restored',
      recommended: 'recommended',
    },
    schema: [],
    defaultOptions: [],
    messages: {
      freshHandle:
        '`release()` on a handle created right here releases nothing: a new handle has a new owner token, so the lock\'s holder keeps it until its TTL expires. Release the handle that acquired it, or another owner\'s lock with `restoreLock(name, owner).release()` (or `forceRelease()`).',
      neverAcquired:
        '`{{name}}` is released but never acquired (no `get()` or `block()` on it): its owner token holds nothing, so `release()` releases nothing and the holder keeps the lock until its TTL expires. Acquire it first, or release another owner\'s lock with `restoreLock(name, owner).release()` (or `forceRelease()`).',
    },
  },
  create(context) {
    return {
      'Program:exit'() {
        const analysis = getLockAnalysis(context);
        const acquired = new Set(analysis.acquisitions.map((acquisition) => acquisition.lock.id));
        for (const call of analysis.calls) {
          // locksmith's owner-token semantics; a library's release() of an unacquired lock means something else.
          if (call.method !== 'release' || call.library !== 'locksmith') continue;
          const { lock } = call;
          if (acquired.has(lock.id)) continue;
          if (lock.binding === 'chain') {
            // Only straight off the creation: the closure's `{ lock }` parameter is the same lock, acquired.
            if (lock.creation && unwrap(call.receiver) === lock.creation.call && isFresh(lock.creation)) {
              context.report({ loc: methodCallLoc(call.call), messageId: 'freshHandle' });
            }
            continue;
          }
          if (lock.binding !== 'variable' || !isPrivateFreshVariable(lock, analysis)) continue;
          context.report({ loc: methodCallLoc(call.call), messageId: 'neverAcquired', data: { name: lock.variable!.name } });
        }
      },
    };
  },
});
