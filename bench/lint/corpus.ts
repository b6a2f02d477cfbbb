/**
 * The code the lint benchmark runs on: third-party packages already installed in node_modules (code that
 * takes no lock, what most of a project is), the fixtures replicated into a temporary folder (code where
 * every file takes locks), and one lock-heavy file to re-lint as an editor does.
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The third-party corpus: the JavaScript/TypeScript sources (no `.d.ts`, no nested node_modules) of these
 * packages, at the versions package-lock.json pins. Chosen for size and variety (ESM and CommonJS, compiled
 * TypeScript, hand-written JavaScript, bundles) and because they are devDependencies, so always installed.
 * About 1,270 files and 0.53 M lines (the run prints the exact counts).
 */
export const THIRD_PARTY_PACKAGES = [
  'eslint',
  'espree',
  '@typescript-eslint/eslint-plugin',
  '@typescript-eslint/scope-manager',
  '@typescript-eslint/typescript-estree',
  '@typescript-eslint/type-utils',
  '@typescript-eslint/utils',
  '@typescript-eslint/rule-tester',
  'eslint-plugin-eslint-plugin',
  'ioredis',
  'vitest',
  '@vitest/runner',
  '@vitest/expect',
  '@vitest/mocker',
  '@vitest/utils',
  'vite',
  'rolldown',
  'js-yaml',
] as const;

/** One big single file on top: TypeScript's compiler API bundle (`typescript/lib/typescript.js`). */
export const THIRD_PARTY_FILES = ['typescript/lib/typescript.js'] as const;

const SOURCE = /\.(js|mjs|cjs|ts|mts|cts)$/;
const DECLARATION = /\.d\.[cm]?ts$/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules') return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return SOURCE.test(entry.name) && !DECLARATION.test(entry.name) ? [path] : [];
  });
}

export interface Corpus {
  readonly files: readonly string[];
  readonly lines: number;
  /** The folder ESLint runs from. */
  readonly cwd: string;
}

function countLines(files: readonly string[]): number {
  return files.reduce((sum, file) => sum + readFileSync(file, 'utf8').split('\n').length, 0);
}

/** The third-party corpus, or every `sample`-th file of it (in path order), with or without `THIRD_PARTY_FILES`. */
export function thirdPartyCorpus(sample = 1, withLargest = true): Corpus {
  const modules = join(root, 'node_modules');
  const files = [
    ...THIRD_PARTY_PACKAGES.flatMap((name) => sources(join(modules, name))),
    ...(withLargest ? THIRD_PARTY_FILES.map((file) => join(modules, file)) : []),
  ]
    .sort()
    .filter((_, index) => index % sample === 0);
  return { files, lines: countLines(files), cwd: root };
}

/** `fixtures/` copied `copies` times into `dir` (every file takes or mentions locks). */
export function lockHeavyCorpus(dir: string, copies: number): Corpus {
  for (let copy = 0; copy < copies; copy += 1) {
    cpSync(join(root, 'fixtures'), join(dir, `copy-${copy}`), {
      recursive: true,
      filter: (path) => !basename(path).startsWith('eslint.') && !basename(path).endsWith('.json'),
    });
  }
  const files = sources(dir).sort();
  return { files, lines: countLines(files), cwd: dir };
}

/** The service fixtures that make up the edited file, in order. */
const EDITED_FILE_PARTS = [
  'services/package-worker.ts',
  'services/inventory-sync.ts',
  'services/api-handlers.ts',
  'services/leader-election.ts',
  'source-document/preventing-duplicate-package-processing.ts',
];

/**
 * A ~300-line lock-heavy TypeScript file: service fixtures concatenated, their imports hoisted once to the top.
 * Written to `dir`; returns its path and text.
 */
export function editedFile(dir: string): { path: string; text: string } {
  const imports = new Set<string>();
  const bodies: string[] = [];
  for (const part of EDITED_FILE_PARTS) {
    const lines = readFileSync(join(root, 'fixtures', part), 'utf8').split('\n');
    const body: string[] = [];
    for (const line of lines) {
      if (/^import\b/.test(line)) imports.add(line);
      else body.push(line);
    }
    bodies.push(`// ---- from fixtures/${part}`, ...body);
  }
  const text = [...imports, '', ...bodies].join('\n');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'edited.ts');
  writeFileSync(path, text);
  return { path, text };
}
