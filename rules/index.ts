/**
 * The locksmith ESLint plugin (flat config only): `import locksmith from 'locksmith-js/eslint-plugin'`, then
 * `export default [locksmith.configs.recommended]`.
 *
 * Adding a rule: import it and add one entry to {@link rules}; the configs follow its `meta.docs.recommended`.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TSESLint } from '@typescript-eslint/utils';
import * as tsParser from '@typescript-eslint/parser';
import type { ESLint, Linter } from 'eslint';
import noFloatingLockCall from './no-floating-lock-call.js';
import noUncheckedGet from './no-unchecked-get.js';
import keyNamingConvention from './key-naming-convention.js';
import noLockAroundRead from './no-lock-around-read.js';
import noTtlShorterThanWait from './no-ttl-shorter-than-wait.js';
import requireReleaseInFinally from './require-release-in-finally.js';
import noReleaseWithoutAcquire from './no-release-without-acquire.js';
import noBooleanBlock from './no-boolean-block.js';
import requireTtl from './require-ttl.js';
import noCheckThenLock from './no-check-then-lock.js';
import noForceRelease from './no-force-release.js';
import noLockOrderInversion from './no-lock-order-inversion.js';
import type { LocksmithConfigName, LocksmithRuleDocs } from './utils.js';

type LocksmithRule = TSESLint.RuleModule<string, readonly unknown[], LocksmithRuleDocs>;

/** Every rule of the plugin, by id without the `locksmith/` prefix. */
export const rules = {
  'require-release-in-finally': requireReleaseInFinally,
  'no-ttl-shorter-than-wait': noTtlShorterThanWait,
  'no-lock-around-read': noLockAroundRead,
  'key-naming-convention': keyNamingConvention,
  'no-floating-lock-call': noFloatingLockCall,
  'no-unchecked-get': noUncheckedGet,
  'no-release-without-acquire': noReleaseWithoutAcquire,
  'no-boolean-block': noBooleanBlock,
  'require-ttl': requireTtl,
  'no-check-then-lock': noCheckThenLock,
  'no-force-release': noForceRelease,
  'no-lock-order-inversion': noLockOrderInversion,
} satisfies Record<string, LocksmithRule>;

/** The package's version, read from the nearest `package.json` named `locksmith-js` (source and `dist/` alike). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'locksmith-js' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // No readable package.json here: keep walking up.
    }
    const parent = dirname(dir);
    if (parent === dir) return '0.0.0';
    dir = parent;
  }
}

/** Files every config applies to: an editor's ESLint server drops files that no config's `files` covers. */
export const LINTED_FILES = ['**/*.{ts,tsx,mts,cts,js,mjs,cjs}'];

const CONFIG_LEVELS: Record<LocksmithConfigName, readonly LocksmithConfigName[]> = {
  recommended: ['recommended'],
  strict: ['recommended', 'strict'],
};

function ruleLevels(config: LocksmithConfigName): Record<string, 'error'> {
  const levels = CONFIG_LEVELS[config];
  const entries = Object.entries(rules as Record<string, LocksmithRule>)
    .filter(([, rule]) => rule.meta.docs !== undefined && levels.includes(rule.meta.docs.recommended))
    .map(([id]) => [`locksmith/${id}`, 'error'] as const);
  return Object.fromEntries(entries);
}

/** A config object that stands alone: name, files, parser, plugin and rules (ESLint's own config type). */
export type LocksmithConfig = Linter.Config & {
  name: string;
  files: string[];
  rules: Record<string, 'error'>;
};

/** The plugin object, typed as ESLint expects it (typescript-eslint's rule types are structurally looser). */
export interface LocksmithPlugin extends ESLint.Plugin {
  meta: { name: string; version: string; namespace: string };
  rules: NonNullable<ESLint.Plugin['rules']>;
  configs: Record<LocksmithConfigName | TypeCheckedConfigName, LocksmithConfig>;
}

/** The configs that add type information (typescript-eslint's naming): same rules, plus `projectService`. */
export type TypeCheckedConfigName = `${LocksmithConfigName}TypeChecked`;

const plugin: LocksmithPlugin = {
  meta: { name: 'locksmith', version: packageVersion(), namespace: 'locksmith' },
  rules: rules as unknown as NonNullable<ESLint.Plugin['rules']>,
  configs: {} as Record<LocksmithConfigName | TypeCheckedConfigName, LocksmithConfig>,
};

function buildConfig(config: LocksmithConfigName): LocksmithConfig {
  return {
    name: `locksmith/${config}`,
    files: [...LINTED_FILES],
    plugins: { locksmith: plugin },
    // @typescript-eslint/parser reads plain JavaScript too, so one object covers every listed extension.
    languageOptions: { parser: tsParser as Linter.Parser },
    rules: ruleLevels(config),
  };
}

/**
 * `config` with type information: the TypeScript project service gives every linted file its program, so that
 * managers and locks are recognised by type wherever they come from (see docs/typed-linting.md for the cost).
 */
function buildTypeCheckedConfig(config: LocksmithConfigName): LocksmithConfig {
  const base = buildConfig(config);
  return {
    ...base,
    name: `locksmith/${config}TypeChecked`,
    languageOptions: { ...base.languageOptions, parserOptions: { projectService: true } },
  };
}

plugin.configs.recommended = buildConfig('recommended');
plugin.configs.strict = buildConfig('strict');
plugin.configs.recommendedTypeChecked = buildTypeCheckedConfig('recommended');
plugin.configs.strictTypeChecked = buildTypeCheckedConfig('strict');

export default plugin;
