import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';
import { contains, enclosingFunction, methodCallLoc } from './analysis/ast.js';
import { getLockAnalysis, type Acquisition, type LockAnalysis } from './analysis/index.js';
import { staticLockName, type ScopeOf } from './analysis/lock-names.js';
import { createRule } from './utils.js';

export type Options = [];
export type MessageIds = 'orderInversion';

/** One acquisition made while another lock is held. */
interface Nesting {
  readonly outer: Acquisition;
  readonly inner: Acquisition;
  readonly outerName: string;
  readonly innerName: string;
}

/**
 * Whether `inner` runs while `outer`'s lock is held: inside its critical section, in the same function (or its
 * closure), and with no release of `outer`'s lock before it (a release in a `finally` whose `try` holds `inner`
 * runs after it).
 */
function heldAround(outer: Acquisition, inner: Acquisition, analysis: LockAnalysis): boolean {
  const section = analysis.criticalSection(outer);
  if (!section || !section.body.some((node) => contains(node, inner.call))) return false;
  const home = section.kind === 'closure' ? outer.closure : enclosingFunction(outer.call);
  if (!home || enclosingFunction(inner.call) !== home) return false;
  return !analysis
    .releasesOf(outer.lock)
    .some(
      (release) =>
        release.call.range[0] > outer.call.range[1] &&
        release.call.range[0] < inner.call.range[0] &&
        !inFinallyAround(release.call, inner.call),
    );
}

/** Whether `release` sits in the `finally` of a `try` whose block contains `inner`. */
function inFinallyAround(release: TSESTree.Node, inner: TSESTree.Node): boolean {
  for (let node: TSESTree.Node | undefined = release; node?.parent; node = node.parent) {
    const parent: TSESTree.Node = node.parent;
    if (parent.type === AST_NODE_TYPES.TryStatement && parent.finalizer === node && contains(parent.block, inner)) return true;
  }
  return false;
}

export default createRule<Options, MessageIds>({
  name: 'no-lock-order-inversion',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow acquiring two locks nested in opposite orders in one file (a deadlock)',
      recommended: 'recommended',
    },
    schema: [],
    defaultOptions: [],
    messages: {
      orderInversion:
        '"{{inner}}" is acquired here while "{{outer}}" is held, and line {{line}} acquires them the other way round ("{{outer}}" while holding "{{inner}}"). Two callers can each take one lock and wait for the other: a deadlock until a wait times out or a TTL expires. Take the two locks in the same order everywhere.',
    },
  },
  create(context) {
    const scopeOf: ScopeOf = (node) => context.sourceCode.getScope(node);
    return {
      'Program:exit'() {
        const analysis = getLockAnalysis(context);
        const named = analysis.acquisitions
          .map((acquisition) => ({ acquisition, name: staticLockName(acquisition.lock, scopeOf) }))
          .filter((entry): entry is { acquisition: Acquisition; name: string } => entry.name !== undefined);
        const nestings: Nesting[] = [];
        for (const outer of named) {
          for (const inner of named) {
            // Only a wait can deadlock: a `get()` is one attempt, it fails and the caller lets go of what it holds.
            if (inner.acquisition.method !== 'block' || inner.name === outer.name) continue;
            if (!heldAround(outer.acquisition, inner.acquisition, analysis)) continue;
            nestings.push({ outer: outer.acquisition, inner: inner.acquisition, outerName: outer.name, innerName: inner.name });
          }
        }
        const reported = new Set<Acquisition>();
        for (const nesting of nestings) {
          const opposite = nestings.find(
            (other) => other.outerName === nesting.innerName && other.innerName === nesting.outerName,
          );
          if (!opposite || reported.has(nesting.inner)) continue;
          reported.add(nesting.inner);
          context.report({
            loc: methodCallLoc(nesting.inner.call),
            messageId: 'orderInversion',
            data: { inner: nesting.innerName, outer: nesting.outerName, line: opposite.inner.call.loc.start.line },
          });
        }
      },
    };
  },
});
