/**
 * The typed path: with a TypeScript program (the project's `parserOptions.projectService` / `project`), a
 * receiver whose type is declared by the locksmith package counts as a manager or a lock even when the file
 * never shows where it came from (a constructor parameter, an injected service). Never required.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ParserServices, TSESTree } from '@typescript-eslint/utils';
import type * as ts from 'typescript';
import { LOCKSMITH_MODULE } from './locksmith-module.js';

/** Answers "is this expression's type locksmith's manager / `Lock`?" from type information. */
export interface TypeOracle {
  isManager(node: TSESTree.Node): boolean;
  isLock(node: TSESTree.Node): boolean;
}

/** Members that identify a lock manager's and a lock's type, whatever the exported names. */
const MANAGER_MEMBERS = ['lock', 'restoreLock'];
const LOCK_MEMBERS = ['get', 'block', 'release', 'forceRelease', 'owner'];

/** Builds the oracle when the parser provides a program, else `undefined`. */
export function createTypeOracle(services: Partial<ParserServices> | null | undefined): TypeOracle | undefined {
  const program = services?.program;
  const nodeMap = services?.esTreeNodeToTSNodeMap;
  if (!program || !nodeMap) return undefined;
  const checker = program.getTypeChecker();
  const verdicts = new Map<ts.Type, { manager: boolean; lock: boolean }>();

  const judge = (node: TSESTree.Node): { manager: boolean; lock: boolean } => {
    let type: ts.Type;
    try {
      const tsNode = nodeMap.get(node as never);
      if (!tsNode) return { manager: false, lock: false };
      type = checker.getNonNullableType(checker.getTypeAtLocation(tsNode));
    } catch {
      return { manager: false, lock: false };
    }
    const known = verdicts.get(type);
    if (known) return known;
    const verdict = { manager: false, lock: false };
    const parts = type.isUnion() ? type.types : [type];
    for (const part of parts) {
      const symbol = part.getSymbol() ?? part.aliasSymbol;
      if (!symbol || !declaredByLocksmith(symbol)) continue;
      if (MANAGER_MEMBERS.every((member) => part.getProperty(member))) verdict.manager = true;
      if (LOCK_MEMBERS.every((member) => part.getProperty(member))) verdict.lock = true;
    }
    verdicts.set(type, verdict);
    return verdict;
  };
  return {
    isManager: (node) => judge(node).manager,
    isLock: (node) => judge(node).lock,
  };
}

function declaredByLocksmith(symbol: ts.Symbol): boolean {
  return (symbol.declarations ?? []).some((declaration) =>
    isLocksmithFile(declaration.getSourceFile().fileName),
  );
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
