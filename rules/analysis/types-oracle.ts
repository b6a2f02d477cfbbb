/**
 * The typed path: with a TypeScript program (the project's `parserOptions.projectService` / `project`), a
 * receiver whose type is declared by locksmith or a profiled library (redlock, redis-semaphore, async-mutex)
 * counts as a manager or a lock even when the file never shows where it came from (an import from another
 * module, a function's result, a constructor parameter, an injected service). Never required.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ParserServices, TSESTree } from '@typescript-eslint/utils';
import type * as ts from 'typescript';
import type { LibraryId } from './libraries.js';
import { LOCKSMITH_MODULE } from './locksmith-module.js';

/** Answers "is this expression's type a lock manager / a lock, and of which library?" from type information. */
export interface TypeOracle {
  /** The library whose manager (locksmith's `LockManager`, redlock's `Redlock`) `node`'s type is, if any. */
  managerLibrary(node: TSESTree.Node): LibraryId | undefined;
  /** The library whose lock (locksmith/redlock `Lock`, a redis-semaphore class, async-mutex's interfaces) `node`'s type is. */
  lockLibrary(node: TSESTree.Node): LibraryId | undefined;
  /** The TypeScript program, for following a declaration into another module. */
  readonly program: ts.Program;
  /** The TypeScript node of an ESTree node. */
  tsNodeOf(node: TSESTree.Node): ts.Node | undefined;
}

/** Members that identify each library's manager and lock types, whatever the exported names. */
const SHAPES: readonly { library: LibraryId; role: 'manager' | 'lock'; members: readonly string[] }[] = [
  { library: 'locksmith', role: 'manager', members: ['lock', 'restoreLock'] },
  { library: 'locksmith', role: 'lock', members: ['get', 'block', 'release', 'forceRelease', 'owner'] },
  { library: 'redlock', role: 'manager', members: ['acquire', 'release', 'extend', 'using'] },
  { library: 'redlock', role: 'lock', members: ['release', 'extend', 'resources', 'value'] },
  { library: 'redis-semaphore', role: 'lock', members: ['acquire', 'tryAcquire', 'release', 'identifier'] },
  { library: 'async-mutex', role: 'lock', members: ['acquire', 'runExclusive', 'release', 'isLocked', 'cancel'] },
];

/** The package names whose declarations each library's types come from. */
const PACKAGES: Readonly<Record<string, LibraryId>> = {
  [LOCKSMITH_MODULE]: 'locksmith',
  redlock: 'redlock',
  '@sesamecare-oss/redlock': 'redlock',
  'redis-semaphore': 'redis-semaphore',
  'async-mutex': 'async-mutex',
};

interface Verdict {
  manager: LibraryId | undefined;
  lock: LibraryId | undefined;
}

/** Builds the oracle when the parser provides a program, else `undefined`. */
export function createTypeOracle(
  services: Partial<ParserServices> | null | undefined,
  enabled: (library: LibraryId) => boolean = () => true,
): TypeOracle | undefined {
  const program = services?.program;
  const nodeMap = services?.esTreeNodeToTSNodeMap;
  if (!program || !nodeMap) return undefined;
  const checker = program.getTypeChecker();
  const verdicts = new Map<ts.Type, Verdict>();
  const tsNodeOf = (node: TSESTree.Node): ts.Node | undefined => {
    try {
      return nodeMap.get(node as never);
    } catch {
      return undefined;
    }
  };

  const judge = (node: TSESTree.Node): Verdict => {
    let type: ts.Type;
    try {
      const tsNode = tsNodeOf(node);
      if (!tsNode) return { manager: undefined, lock: undefined };
      type = checker.getNonNullableType(checker.getTypeAtLocation(tsNode));
    } catch {
      return { manager: undefined, lock: undefined };
    }
    const known = verdicts.get(type);
    if (known) return known;
    const verdict: Verdict = { manager: undefined, lock: undefined };
    const parts = type.isUnion() ? type.types : [type];
    for (const part of parts) {
      const symbol = part.getSymbol() ?? part.aliasSymbol;
      const library = symbol ? libraryOfSymbol(symbol) : undefined;
      if (!library || !enabled(library)) continue;
      for (const shape of SHAPES) {
        if (shape.library !== library || !shape.members.every((member) => part.getProperty(member))) continue;
        if (shape.role === 'manager') verdict.manager ??= library;
        else verdict.lock ??= library;
      }
    }
    verdicts.set(type, verdict);
    return verdict;
  };
  return {
    managerLibrary: (node) => judge(node).manager,
    lockLibrary: (node) => judge(node).lock,
    program,
    tsNodeOf,
  };
}

function libraryOfSymbol(symbol: ts.Symbol): LibraryId | undefined {
  for (const declaration of symbol.declarations ?? []) {
    const name = nearestPackageName(dirname(declaration.getSourceFile().fileName));
    const library = name === undefined ? undefined : PACKAGES[name];
    if (library) return library;
  }
  return undefined;
}

const packageNameOfDir = new Map<string, string | undefined>();

/** Whether the nearest `package.json` above `fileName` is the locksmith package (installed, or its own `src/`). */
export function isLocksmithFile(fileName: string): boolean {
  return nearestPackageName(dirname(fileName)) === LOCKSMITH_MODULE;
}

function nearestPackageName(dir: string): string | undefined {
  if (packageNameOfDir.has(dir)) return packageNameOfDir.get(dir);
  let name: string | undefined;
  const manifest = join(dir, 'package.json');
  let own: unknown;
  if (existsSync(manifest)) {
    try {
      own = (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name;
    } catch {
      own = undefined;
    }
  }
  // A nameless package.json (`{ "type": "module" }` in a sub-folder) does not end the search.
  if (typeof own === 'string') name = own;
  else {
    const parent = dirname(dir);
    name = parent === dir ? undefined : nearestPackageName(parent);
  }
  packageNameOfDir.set(dir, name);
  return name;
}
