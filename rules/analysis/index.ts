/**
 * The analysis core of the locksmith ESLint plugin: every rule asks here what a lock is, where it is acquired,
 * what its critical section is and whether it is released. No rule re-derives any of it.
 *
 * API overview (`import { getLockAnalysis } from './analysis/index.js'`):
 *
 * - {@link getLockAnalysis}`(context)` → {@link LockAnalysis} for the file being linted, computed once per file
 *   (cached on `context.sourceCode`), never throws on valid input. Call it from a listener (e.g. `Program`).
 *   - `creations`: every `manager.lock(name, ttl?)` / `manager.restoreLock(name, owner)` ({@link LockCreation}:
 *     `call`, `name`, `ttl`, `owner`, `manager` nodes). Evaluate names/durations with `./static-values.js`.
 *   - `calls`: every call of a lock method ({@link LockMethodCall}: `call`, `method`, `lock`, `receiver`,
 *     `duration` (block's wait / refresh's ttl), `callback`, `closure`); `callOf(node)` looks one up.
 *   - `acquisitions`: the `get()` / `block()` calls among them ({@link Acquisition}); `callback` set = closure form.
 *   - `lockOf(expr)` → {@link LockRef} (`id`, `binding`, `creation(s)`, `variable`, `field`, `disposed`);
 *     `sameLock(a, b)`; `releasesOf(lock)` → its `release()` / `forceRelease()` calls.
 *   - `isManager(expr)`: a lock manager (`createLocks()` from `locksmith-js`, `settings.locksmith.lockFactories`
 *     names, or typed).
 *   - `criticalSection(acquisition)` → {@link CriticalSection} (`kind`: closure | if | else | guard | sequence,
 *     `guarded`, `body` statements, `container`, `anchor`), or `undefined` for shapes it does not know.
 *   - `protection(acquisition)` → {@link Protection}: callback | disposed | escapes | immediate | finally | unknown |
 *     unprotected (with the {@link ReleaseProblem}).
 * - {@link readSettings} / {@link DEFAULT_LOCK_FACTORIES}: `settings.locksmith` (`lockFactories`, `libraries`).
 *
 * Libraries (redlock, redis-semaphore, async-mutex; docs/libraries.md): the same model covers them, so a rule
 * written for locksmith applies to them. To ask about a library:
 * - which library and words: `call.library` / `creation.library` / `lock.library` (`'locksmith' | 'redlock' |
 *   'redis-semaphore' | 'async-mutex'`), `call.name` (the method as the library spells it: `acquire`,
 *   `tryAcquire`, `runExclusive`, `using`, `extend`), `VOCABULARIES[library]` (`./libraries.js`: its acquire /
 *   try / release / closure words and its `unit`), and `./wording.js` (`formatDuration(ms, library)`, …);
 * - try-acquire (boolean) vs throwing acquire: `acquisition.method === 'get'` (locksmith `get()`,
 *   redis-semaphore `tryAcquire()`) vs `'block'` (locksmith `block()`, every library's `acquire()`, `using()`,
 *   `runExclusive()`); `call.async` is false for calls that return no Promise (async-mutex `release()`);
 * - TTL / wait expressions: `creation.ttl` (locksmith seconds, redlock milliseconds), `creation.options` (redlock's
 *   per-call settings, redis-semaphore's options), `acquisition.duration` (locksmith's wait); the evaluated pair
 *   in milliseconds: `timingOf(creation)`; an acquisition that is its own creation (redlock): `acquisition.creation`;
 * - release calls: `releasesOf(lock)` (locksmith/redis-semaphore/redlock `release()`, `redlock.release(lock)`,
 *   async-mutex's releaser `release()` and `mutex.release()`), and `acquisition.handle` for async-mutex's releaser
 *   variable;
 * - "is locked" checks: `calls` with `method === 'isLocked'` (locksmith `isLocked()`, async-mutex `isLocked()`;
 *   redlock and redis-semaphore have none);
 * - lock names: `creation.names` (locksmith's name, redlock's literal resources, redis-semaphore's key).
 *
 * What counts as a lock: see docs/eslint-plugin.md ("What counts as a lock"), docs/libraries.md and `resolve.ts`.
 */
import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { readOptions, redisSemaphoreTiming, redlockTiming, typedRedlockSettings } from './library-timing.js';
import { LockResolver } from './resolve.js';
import { factoryCallsMayCreate } from './factory-calls.js';
import { creatingMethodTokens, fastPathEnabled, lockVocabulary, matcherOf, mayNameAny, prefilterDecision } from './prefilter.js';
import { criticalSectionOf } from './sections.js';
import { protectionOf } from './protection.js';
import { ActiveProfiles } from './profiles.js';
import { readSettings, type LocksmithSettings } from './settings.js';
import { createTypeOracle } from './types-oracle.js';
import type { Acquisition, CriticalSection, LockAnalysis, LockCreation, LockRef, Protection, Timing } from './types.js';

export * from './types.js';
export { DEFAULT_LOCK_FACTORIES, readSettings, type LocksmithSettings } from './settings.js';
export { LOCKSMITH_MODULE } from './locksmith-module.js';
export { VOCABULARIES, type Vocabulary } from './libraries.js';

/** The part of a rule context the analysis reads. */
export type AnalysisContext = Pick<Readonly<TSESLint.RuleContext<string, readonly unknown[]>>, 'sourceCode' | 'settings'>;

const cache = new WeakMap<object, LockAnalysis>();

/**
 * The last file decided and its decision. Every rule's `create` asks (see `createRule`), one right after the
 * other for the same file, so the first asks and the others find it here; a `WeakMap` entry per file cost more
 * than the decision's text search on a typical file. One `SourceCode` is kept alive until the next file is
 * decided (ESLint's `Linter` keeps its last one too); a miss only decides again.
 */
let lastSourceCode: object | undefined;
let lastDecision = true;

/**
 * Whether the file `context` lints may contain a lock: `false` when the analysis would find none in it, so no
 * rule can report. Decided once per file without walking the tree: from the tokens (`prefilter.ts`), and, for
 * a file whose tokens name only a lock factory and a creating method, from those calls' receivers
 * (`factory-calls.ts`). Always `true` with the fast path off.
 */
export function mayHaveLocks(context: AnalysisContext): boolean {
  if (!fastPathEnabled()) return true;
  const { sourceCode } = context;
  if (sourceCode === lastSourceCode) return lastDecision;
  const settings = context.settings as Readonly<Record<string, unknown>> | undefined;
  const typed = Boolean(sourceCode.parserServices?.program);
  const decision =
    mayNameAny(sourceCode.text, sourceCode.ast.tokens, matcherOf(settings, typed)) && closerLook(sourceCode, readSettings(settings), typed);
  lastSourceCode = sourceCode;
  lastDecision = decision;
  return decision;
}

/** The decision for a file the first look could not rule out (`mayNameAny`): the token verdict, then the factory calls. */
function closerLook(sourceCode: AnalysisContext['sourceCode'], settings: LocksmithSettings, typed: boolean): boolean {
  const { text, ast } = sourceCode;
  const vocabulary = lockVocabulary(settings);
  const { verdict, creatingMethods } = prefilterDecision(text, ast.tokens, vocabulary, typed);
  return (
    verdict === 'maybe' ||
    (verdict === 'factory-calls' &&
      factoryCallsMayCreate(
        {
          ast,
          visitorKeys: sourceCode.visitorKeys as Readonly<Record<string, readonly string[] | undefined>>,
          scopeOf: (node) => sourceCode.getScope(node),
        },
        creatingMethods ?? creatingMethodTokens(text, ast.tokens, vocabulary),
        settings,
      ))
  );
}

/**
 * The lock analysis of the file `context` lints (computed on first use, then shared by every rule). A file
 * without locks ({@link mayHaveLocks}) is not walked: its lists are empty, which is what the walk would find,
 * and a question about one of its nodes is answered by the full analysis, built only then.
 */
export function getLockAnalysis(context: AnalysisContext): LockAnalysis {
  const { sourceCode } = context;
  const cached = cache.get(sourceCode);
  if (cached) return cached;
  const settings = context.settings as Readonly<Record<string, unknown>> | undefined;
  const analysis = mayHaveLocks(context)
    ? analyze(sourceCode, settings)
    : lockFree(() => analyze(sourceCode, settings));
  cache.set(sourceCode, analysis);
  return analysis;
}

/** The analysis of a file without locks: empty lists; node queries go to the full analysis, made on demand. */
function lockFree(full: () => LockAnalysis): LockAnalysis {
  let made: LockAnalysis | undefined;
  const get = (): LockAnalysis => (made ??= full());
  return {
    creations: [],
    calls: [],
    acquisitions: [],
    callOf: (node) => get().callOf(node),
    creationOf: (node) => get().creationOf(node),
    lockOf: (node) => get().lockOf(node),
    isManager: (node) => get().isManager(node),
    sameLock: (a, b) => a.id === b.id,
    releasesOf: (lock) => get().releasesOf(lock),
    criticalSection: (acquisition) => get().criticalSection(acquisition),
    protection: (acquisition) => get().protection(acquisition),
    timingOf: (creation) => get().timingOf(creation),
  };
}

function analyze(
  sourceCode: Readonly<TSESLint.SourceCode>,
  settings: Readonly<Record<string, unknown>> | undefined,
): LockAnalysis {
  const profiles = new ActiveProfiles(readSettings(settings));
  const types = createTypeOracle(sourceCode.parserServices, (library) => profiles.enabled(library));
  const resolver = new LockResolver({
    ast: sourceCode.ast,
    scopeManager: sourceCode.scopeManager,
    visitorKeys: sourceCode.visitorKeys as Readonly<Record<string, readonly string[] | undefined>>,
    profiles,
    types,
  });
  const calls = [...resolver.calls].sort((a, b) => a.call.range[0] - b.call.range[0]);
  const creations = [...resolver.creations].sort((a, b) => a.call.range[0] - b.call.range[0]);
  const acquisitions = calls.filter(
    (call): call is Acquisition => call.method === 'get' || call.method === 'block',
  );
  const sections = new Map<Acquisition, CriticalSection | undefined>();
  const protections = new Map<Acquisition, Protection>();
  const timings = new Map<LockCreation, Timing | undefined>();
  const scopeOf = (node: TSESTree.Node) => sourceCode.getScope(node);
  const timingOf = (creation: LockCreation): Timing | undefined => {
    if (creation.library === 'redis-semaphore') return redisSemaphoreTiming(creation, scopeOf);
    if (creation.library !== 'redlock') return undefined;
    const origin = resolver.managerOrigin(creation.manager);
    let instance: ReturnType<typeof readOptions>;
    if (origin?.creation?.type === AST_NODE_TYPES.NewExpression) {
      const settings = origin.creation.arguments[1];
      instance = settings?.type === AST_NODE_TYPES.SpreadElement ? undefined : readOptions(settings, scopeOf);
    } else if (types) {
      instance = typedRedlockSettings(creation.manager, types);
    }
    return redlockTiming(creation, instance, scopeOf);
  };
  const releasesOf = (lock: LockRef) =>
    calls.filter((call) => (call.method === 'release' || call.method === 'forceRelease') && call.lock.id === lock.id);

  const analysis: LockAnalysis = {
    creations,
    calls,
    acquisitions,
    callOf: (node: TSESTree.Node) => resolver.callOf(node),
    creationOf: (node: TSESTree.Node) => resolver.creationOf(node),
    lockOf: (node: TSESTree.Node) => resolver.lockOf(node),
    isManager: (node: TSESTree.Node) => resolver.isManager(node),
    sameLock: (a, b) => a.id === b.id,
    releasesOf,
    criticalSection(acquisition) {
      if (!sections.has(acquisition)) sections.set(acquisition, criticalSectionOf(acquisition));
      return sections.get(acquisition);
    },
    timingOf(creation) {
      if (!timings.has(creation)) timings.set(creation, timingOf(creation));
      return timings.get(creation);
    },
    protection(acquisition) {
      let protection = protections.get(acquisition);
      if (!protection) {
        protection = protectionOf(acquisition, analysis);
        protections.set(acquisition, protection);
      }
      return protection;
    },
  };
  return analysis;
}
