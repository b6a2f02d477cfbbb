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
import { join, resolve } from 'node:path';
import type { ESLint as ESLintClass, Linter } from 'eslint';
import type { LocksmithPlugin } from '../rules/index.js';
import { packageVersion } from '../rules/package-version.js';
import { toSarif } from './sarif.js';
import { firstLine, loadLintTools, SetupError } from './setup.js';

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
  /** Also run the rules the `strict` config adds: the plugin's `strict` config, or on top of a project config. */
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

/** A problem with how `locksmith lint` was called (exit code 2), as opposed to findings. */
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

async function format(eslint: ESLintClass, results: ESLintClass.LintResult[], name: Format, cwd: string): Promise<string> {
  if (name === 'sarif') {
    const log = toSarif(results, eslint.getRulesMetaForResults(results), { version: packageVersion(), cwd });
    return JSON.stringify(log, null, 2);
  }
  const formatter = await eslint.loadFormatter(name);
  return formatter.format(results);
}

/** How the project's config registers the locksmith plugin: its namespace and the plugin object it uses. */
interface ProjectPlugin {
  readonly namespace: string;
  readonly plugin: NonNullable<Linter.Config['plugins']>[string];
}

/**
 * How the project's config registers the locksmith plugin for TypeScript or JavaScript files (namespace
 * `locksmith` unless renamed), or `undefined` when it does not enable it. Loads the config: a config that fails
 * to load is a {@link SetupError}.
 */
async function projectPlugin(eslint: ESLintClass, configFile: string, cwd: string): Promise<ProjectPlugin | undefined> {
  for (const probe of ['locksmith-probe.ts', 'locksmith-probe.js']) {
    let config: Linter.Config | undefined;
    try {
      config = (await eslint.calculateConfigForFile(join(cwd, probe))) as Linter.Config | undefined;
    } catch (error) {
      throw new SetupError(`${configFile} could not be loaded: ${firstLine(error)}`);
    }
    const plugins = Object.entries(config?.plugins ?? {});
    const found = plugins.find(([namespace, value]) => namespace === 'locksmith' || value.meta?.name === 'locksmith');
    if (found) return { namespace: found[0], plugin: found[1] };
  }
  return undefined;
}

/**
 * The rules `strict` adds to `recommended`, at `error`, for every file the plugin's configs cover, with the
 * project's own registration of the plugin (its namespace and object, so ESLint sees no second plugin). Only the
 * severity is set: the project's options for these rules still apply.
 */
function strictOnTop(plugin: LocksmithPlugin, project: ProjectPlugin): Linter.Config {
  const recommended = new Set(Object.keys(plugin.configs.recommended.rules));
  const added = Object.keys(plugin.configs.strict.rules).filter((id) => !recommended.has(id));
  const rules = Object.fromEntries(added.map((id) => [id.replace(/^locksmith\//, `${project.namespace}/`), 'error' as const]));
  return {
    name: 'locksmith/strict (--strict)',
    files: plugin.configs.strict.files,
    plugins: { [project.namespace]: project.plugin },
    rules,
  };
}

/** ESLint's own errors for patterns that match nothing: the call is wrong, not the set-up. */
function isNoFilesError(error: unknown): boolean {
  const template = (error as { messageTemplate?: unknown } | null)?.messageTemplate;
  return template === 'file-not-found' || template === 'all-files-ignored';
}

/**
 * Runs the lint and renders the report; throws {@link UsageError} for bad paths and {@link SetupError} for a
 * broken set-up (missing peers, a plugin or project config that does not load).
 */
export async function lint(options: LintOptions): Promise<LintOutcome> {
  const { ESLint, plugin } = await loadLintTools();
  const projectConfig = findProjectConfig(options.cwd);
  let eslint: ESLintClass | undefined;
  let configFile: string | undefined;
  let notice: string | undefined;
  if (projectConfig) {
    const cache = cacheOptions(options.cache, options.cwd);
    const project = new ESLint({ cwd: options.cwd, ...cache });
    const registered = await projectPlugin(project, projectConfig, options.cwd);
    if (registered !== undefined) {
      eslint = options.strict
        ? new ESLint({ cwd: options.cwd, overrideConfig: strictOnTop(plugin, registered), ...cache })
        : project;
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
    eslint = new ESLint({ cwd: options.cwd, overrideConfigFile: true, overrideConfig, ...cacheOptions(options.cache, options.cwd) });
  }
  let results: ESLintClass.LintResult[];
  try {
    results = await eslint.lintFiles(options.patterns.length > 0 ? [...options.patterns] : ['.']);
  } catch (error) {
    // Unmatched patterns: the call is wrong. Anything else (a crash) propagates with its stack.
    if (isNoFilesError(error)) throw new UsageError((error as Error).message);
    throw error;
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
