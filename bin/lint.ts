/**
 * `locksmith lint`: ESLint with the locksmith plugin, as a CI gate in one line.
 *
 * A project whose own flat config (`eslint.config.*` in the working directory) enables the locksmith plugin
 * is linted with that config, so that `locksmith lint` and `eslint` agree (options, rules turned off,
 * ignores). Otherwise the plugin's `recommended` (or `strict`) config is used alone; it sets
 * `@typescript-eslint/parser`, so TypeScript works with no setup. A project config that does not enable the
 * plugin is not used: with it the gate would pass without checking a single lock.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type { ESLint as ESLintClass, Linter } from 'eslint';
import plugin from '../rules/index.js';

/** The output formats `--format` accepts. */
export const FORMATS = ['stylish', 'json', 'sarif'] as const;
export type Format = (typeof FORMATS)[number];

/** The file names ESLint reads a flat config from, in its own order of preference. */
export const PROJECT_CONFIG_FILES = [
  'eslint.config.js',
  'eslint.config.mjs',
  'eslint.config.cjs',
  'eslint.config.ts',
  'eslint.config.mts',
  'eslint.config.cts',
] as const;

export interface LintOptions {
  /** Files, folders or globs; the working directory when empty. */
  readonly patterns: readonly string[];
  readonly format: Format;
  /** Fail when there are more warnings than this (like ESLint's `--max-warnings`); no limit when undefined. */
  readonly maxWarnings: number | undefined;
  /** Use the plugin's `strict` config instead of `recommended` (only when the project has no config). */
  readonly strict: boolean;
  /** Write the report here instead of standard output. */
  readonly outputFile: string | undefined;
  /** Re-lint only changed files, through ESLint's own cache; off when undefined. */
  readonly cache?: LintCache | undefined;
  readonly cwd: string;
}

/** ESLint's cache as `locksmith lint --cache` uses it (the `cache*` options of the ESLint class). */
export interface LintCache {
  /** The cache file (or a folder for it), relative to the working directory. */
  readonly location: string;
  /** How a file counts as changed: its size and modification time, or its content's hash. */
  readonly strategy: 'metadata' | 'content';
}

/** The cache strategies `--cache-strategy` accepts (ESLint's own names). */
export const CACHE_STRATEGIES = ['metadata', 'content'] as const;

/** Where `--cache` keeps its file unless `--cache-location` says otherwise (apart from ESLint's `.eslintcache`). */
export const DEFAULT_CACHE_LOCATION = '.locksmithcache';

function cacheOptions(cache: LintCache | undefined, cwd: string): ESLintClass.Options {
  if (!cache) return {};
  return { cache: true, cacheLocation: resolve(cwd, cache.location), cacheStrategy: cache.strategy };
}

/** What a lint run prints and how the process should exit. */
export interface LintOutcome {
  readonly report: string;
  /** 0: clean; 1: errors, or more warnings than allowed. */
  readonly exitCode: 0 | 1;
  /** The project config used, or `undefined` when the plugin's own config was. */
  readonly configFile: string | undefined;
  /** Something the user should know about the run (printed on stderr), e.g. a project config left unused. */
  readonly notice: string | undefined;
}

/** A problem with how `locksmith lint` was called or set up (exit code 2), as opposed to findings. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The project's own flat config in `cwd`, if it has one. */
export function findProjectConfig(cwd: string): string | undefined {
  for (const file of PROJECT_CONFIG_FILES) {
    const path = join(cwd, file);
    if (existsSync(path)) return path;
  }
  return undefined;
}

async function loadESLint(): Promise<typeof ESLintClass> {
  try {
    return (await import('eslint')).ESLint;
  } catch (error) {
    throw new UsageError(
      `locksmith lint needs ESLint 9 or 10 (a peer dependency): npm i -D eslint\n(${(error as Error).message})`,
    );
  }
}

type SarifFormatter = (results: ESLintClass.LintResult[], data: ESLintClass.LintResultData) => string;

async function format(eslint: ESLintClass, results: ESLintClass.LintResult[], name: Format, cwd: string): Promise<string> {
  if (name === 'sarif') {
    // Loaded from this package, not resolved from the linted project the way ESLint's loadFormatter would.
    const sarif = createRequire(import.meta.url)('@microsoft/eslint-formatter-sarif') as SarifFormatter;
    return sarif(results, { cwd, rulesMeta: eslint.getRulesMetaForResults(results) });
  }
  const formatter = await eslint.loadFormatter(name);
  return formatter.format(results);
}

/** Whether the project's config enables the locksmith plugin for TypeScript or JavaScript files. */
async function enablesLocksmith(eslint: ESLintClass, cwd: string): Promise<boolean> {
  for (const probe of ['locksmith-probe.ts', 'locksmith-probe.js']) {
    const config = (await eslint.calculateConfigForFile(join(cwd, probe))) as Linter.Config | undefined;
    const plugins = Object.entries(config?.plugins ?? {});
    if (plugins.some(([namespace, value]) => namespace === 'locksmith' || value.meta?.name === 'locksmith')) return true;
  }
  return false;
}

/** Runs the lint and renders the report; throws {@link UsageError} for bad paths or a broken setup. */
export async function lint(options: LintOptions): Promise<LintOutcome> {
  const ESLint = await loadESLint();
  const projectConfig = findProjectConfig(options.cwd);
  let eslint: ESLintClass | undefined;
  let configFile: string | undefined;
  let notice: string | undefined;
  let results: ESLintClass.LintResult[];
  try {
    if (projectConfig) {
      const project = new ESLint({ cwd: options.cwd, ...cacheOptions(options.cache, options.cwd) });
      if (await enablesLocksmith(project, options.cwd)) {
        eslint = project;
        configFile = projectConfig;
      } else {
        const own = options.strict ? 'strict' : 'recommended';
        notice = `${projectConfig} does not enable the locksmith plugin: linting with locksmith's ${own} config instead`;
      }
    }
    if (!eslint) {
      const config = options.strict ? plugin.configs.strict : plugin.configs.recommended;
      // typescript-eslint's config types and ESLint's own differ in detail (parser, rule module types).
      const overrideConfig = config as unknown as Linter.Config;
      eslint = new ESLint({
        cwd: options.cwd,
        overrideConfigFile: true,
        overrideConfig,
        ...cacheOptions(options.cache, options.cwd),
      });
    }
    results = await eslint.lintFiles(options.patterns.length > 0 ? [...options.patterns] : ['.']);
  } catch (error) {
    // Unmatched patterns, unreadable files and broken project configs: the call or the setup is wrong.
    throw new UsageError((error as Error).message);
  }

  let report = await format(eslint, results, options.format, options.cwd);
  if (options.outputFile !== undefined) {
    await writeFile(resolve(options.cwd, options.outputFile), report);
    report = '';
  }
  const errors = results.reduce((sum, result) => sum + result.errorCount, 0);
  const warnings = results.reduce((sum, result) => sum + result.warningCount, 0);
  const tooManyWarnings = options.maxWarnings !== undefined && warnings > options.maxWarnings;
  return { report, exitCode: errors > 0 || tooManyWarnings ? 1 : 0, configFile, notice };
}
