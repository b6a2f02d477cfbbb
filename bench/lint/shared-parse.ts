/**
 * The rule phase alone, on one parse: what a config's rules cost on a file, without the parse.
 *
 * A lint is a parse (with scope analysis) and then the rule phase (the traversal and every rule's listeners).
 * The plugin sets no parser and no processor, so the parse is the same work with and without it; only the rule
 * phase can differ. On the third-party corpus the parse is most of a lint and, on typescript.js, most of its
 * garbage: its collections make a whole lint's time move by 20-30 % between identical lints, so end-to-end
 * timing cannot see a difference of 1 %. Here each file is parsed once per pass (ESLint's `Linter` with a
 * config that has the parser and no rules) and the resulting `SourceCode` is handed to `Linter.verify` under
 * each config, which then skips the parse and runs only the rule phase. The configs are normalized once
 * (a plain array given to `verify` would be validated again on every call, a cost the `ESLint` class does not
 * pay per file).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Linter, SourceCode } from 'eslint';

type ConfigArray = Linter.Config[] & { normalizeSync(): void; getConfig(path: string): unknown };
type ConfigArrayClass = new (configs: Linter.Config[], options: { basePath: string }) => ConfigArray;

/**
 * ESLint's `FlatConfigArray`, which `Linter.verify` accepts ready-normalized. It is not among ESLint's public
 * exports, so it is loaded from ESLint's own files; `undefined` if this ESLint keeps it elsewhere.
 */
function flatConfigArrayClass(): ConfigArrayClass | undefined {
  try {
    const require = createRequire(import.meta.url);
    const lib = dirname(require.resolve('eslint'));
    return (require(join(lib, 'config', 'flat-config-array.js')) as { FlatConfigArray: ConfigArrayClass }).FlatConfigArray;
  } catch {
    return undefined;
  }
}

/** A one-line file's path in `cwd`: linting it makes a linter drop the file it linted before. */
export const flushFileIn = (cwd: string): string => join(cwd, 'locksmith-bench-flush.js');

export interface SharedParse {
  /**
   * Parses `text` once; `undefined` when it does not parse. Each call of the returned function gives a new
   * `SourceCode` over the same parse (text, AST, scope manager): the plugin keeps its decision and its analysis
   * per `SourceCode` object, and ESLint its lazy indexes, so one reused across runs would time the second run
   * of each from its caches.
   */
  parse(text: string, filename: string): (() => SourceCode) | undefined;
  /** The messages of config `side` on an already parsed file (untimed: a check that the reuse changes nothing). */
  messages(side: number, sourceCode: SourceCode, filename: string): Linter.LintMessage[];
  /**
   * The rule phase of config `side` on an already parsed file: this process's CPU time in ms
   * (`process.cpuUsage()`, like the whole-lint estimator; a thread's own clock from `/proc/…/schedstat` is only
   * brought up to date at scheduler ticks, so a few-millisecond phase often read as 0).
   */
  rulePhase(side: number, sourceCode: SourceCode, filename: string): number;
  /** Lets every linter drop the `SourceCode` it keeps from its last call (typescript.js's holds ~2 GB). */
  release(): void;
}

/** One `Linter` per config (and one that parses), or `undefined` when this ESLint does not allow it. */
export function sharedParse(cwd: string, parseOnly: Linter.Config[], configs: readonly Linter.Config[][]): SharedParse | undefined {
  const ConfigArray = flatConfigArrayClass();
  if (!ConfigArray) return undefined;
  const normalized = (config: Linter.Config[]) => {
    const array = new ConfigArray(config, { basePath: cwd });
    array.normalizeSync();
    return array;
  };
  const parser = new Linter({ cwd });
  const parserConfig = normalized(parseOnly);
  const sides = configs.map((config) => ({ linter: new Linter({ cwd }), config: normalized(config) }));
  const flushFile = flushFileIn(cwd);
  return {
    parse(text, filename) {
      const messages = parser.verify(text, parserConfig, { filename });
      if (messages.some((message) => message.fatal)) return undefined;
      const { text: parsedText, ast, parserServices, scopeManager, visitorKeys, hasBOM } = parser.getSourceCode() as SourceCode & { hasBOM: boolean };
      return () => new SourceCode({ text: parsedText, ast, parserServices, scopeManager, visitorKeys, hasBOM } as ConstructorParameters<typeof SourceCode>[0]);
    },
    messages(side, sourceCode, filename) {
      const { linter, config } = sides[side]!;
      return linter.verify(sourceCode, config, { filename });
    },
    rulePhase(side, sourceCode, filename) {
      const { linter, config } = sides[side]!;
      const start = process.cpuUsage();
      linter.verify(sourceCode, config, { filename });
      const { user, system } = process.cpuUsage(start);
      return (user + system) / 1000;
    },
    release() {
      parser.verify('0;\n', parserConfig, { filename: flushFile });
      for (const { linter, config } of sides) linter.verify('0;\n', config, { filename: flushFile });
    },
  };
}
