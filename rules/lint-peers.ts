/**
 * The packages the ESLint plugin and `locksmith lint` load at run time. They are optional peer dependencies of
 * locksmith-js (a service that only takes locks installs none of them), so the plugin checks them before it
 * loads anything that imports them, and names what is missing or unsupported in one line.
 *
 * This module imports only Node built-ins: it must load when every peer is absent.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** The lint peers, in the order a user would install them. */
export const LINT_PEERS = ['eslint', 'typescript', '@typescript-eslint/parser', '@typescript-eslint/utils'] as const;

/** The ESLint majors the plugin supports (flat config only). */
const ESLINT_MAJORS = [9, 10];

type Require = ReturnType<typeof createRequire>;

function packageJson(from: Require, name: string): { version?: string; peerDependencies?: Record<string, string> } | undefined {
  try {
    return JSON.parse(readFileSync(from.resolve(`${name}/package.json`), 'utf8')) as {
      version?: string;
      peerDependencies?: Record<string, string>;
    };
  } catch {
    return undefined;
  }
}

function parseVersion(version: string): [number, number, number] | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

/**
 * Whether `version` satisfies a range made of space-separated comparators (`>=4.8.4 <6.1.0`, the form
 * typescript-eslint publishes); `undefined` when the range has another form, so that a range this cannot read
 * never blocks a working set-up.
 */
export function satisfies(version: string, range: string): boolean | undefined {
  const have = parseVersion(version);
  if (!have || range.includes('||')) return undefined;
  for (const comparator of range.trim().split(/\s+/)) {
    const match = /^(>=|<=|>|<)(\d+\.\d+\.\d+)/.exec(comparator);
    const bound = match ? parseVersion(match[2] ?? '') : undefined;
    if (!match || !bound) return undefined;
    const order = compare(have, bound);
    const ok = { '>=': order >= 0, '<=': order <= 0, '>': order > 0, '<': order < 0 }[match[1] as '>=' | '<=' | '>' | '<'];
    if (!ok) return false;
  }
  return true;
}

/**
 * The first problem with the lint peers, as one line for a person, or `undefined` when they are all present
 * and supported. Resolves them the way the plugin's own imports will: from this package's location.
 */
export function lintPeerProblem(from: Require = createRequire(import.meta.url)): string | undefined {
  const missing = LINT_PEERS.filter((name) => packageJson(from, name) === undefined);
  if (missing.length > 0) {
    const what = missing.length === 1 ? `${missing[0]}, a peer dependency` : `${missing.join(', ')}, peer dependencies`;
    return `the locksmith ESLint plugin needs ${what} it does not install: npm install -D ${missing.join(' ')}`;
  }
  const eslint = packageJson(from, 'eslint')?.version ?? '';
  if (!ESLINT_MAJORS.includes(parseVersion(eslint)?.[0] ?? 0)) {
    return `the locksmith ESLint plugin needs ESLint 9 or 10 (flat config), found eslint ${eslint}: npm install -D eslint@10`;
  }
  const parser = packageJson(from, '@typescript-eslint/parser');
  const typescript = packageJson(from, 'typescript')?.version ?? '';
  const supported = parser?.peerDependencies?.['typescript'];
  if (supported !== undefined && satisfies(typescript, supported) === false) {
    return (
      `typescript ${typescript} is not supported by @typescript-eslint/parser ${parser?.version ?? ''} ` +
      `(it needs typescript ${supported}), which the locksmith ESLint plugin parses with: install a supported ` +
      `typescript (npm install -D typescript@6) or a parser release that supports ${typescript}`
    );
  }
  return undefined;
}

/** Throws an Error whose message is {@link lintPeerProblem}'s line, when there is a problem. */
export function assertLintPeers(): void {
  const problem = lintPeerProblem();
  if (problem !== undefined) throw new Error(problem);
}
