/**
 * The `locksmith` command line: argument parsing, help, and exit codes around {@link lint}.
 */
import { parseArgs } from 'node:util';
import { packageVersion } from '../rules/package-version.js';
import {
  CACHE_STRATEGIES,
  DEFAULT_CACHE_LOCATION,
  FORMATS,
  type Format,
  lint,
  type LintCache,
  UsageError,
} from './lint.js';
import { SetupError } from './setup.js';
import type { LocksIO } from './locks/command.js';

const HELP = `Usage: locksmith lint [paths…] [options]
       locksmith locks list|show|release|watch …   (see \`locksmith locks --help\`)

Lints JavaScript and TypeScript files for lock anti-patterns with the locksmith ESLint plugin.
Paths are files, folders or globs (default: the current folder).

Uses the project's own eslint.config.{js,mjs,cjs,ts,mts,cts} when the current folder has one that
enables the locksmith plugin; otherwise the plugin's recommended config (TypeScript parser included,
no setup needed).

Options:
  -f, --format <name>    stylish (default), json, or sarif (SARIF 2.1.0, for code-scanning uploads)
  -o, --output-file <f>  write the report to a file instead of standard output
      --max-warnings <n> also fail when there are more than n warnings
      --strict           also run the strict config's rules, with a project config too (on top of it,
                         keeping its rule options)
      --cache            re-lint only files changed since the last run (ESLint's cache)
      --cache-location <f>  the cache file or folder (default: .locksmithcache)
      --cache-strategy <s>  metadata (default: size and modification time) or content (hash)
  -v, --version          print the version
  -h, --help             show this help

Needs eslint, typescript, @typescript-eslint/parser and @typescript-eslint/utils installed next to it.

Exit codes: 0 no errors, 1 errors found (or too many warnings), 2 bad usage or a broken set-up.
`;

type ParsedCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | {
      kind: 'lint';
      patterns: string[];
      format: Format;
      maxWarnings: number | undefined;
      strict: boolean;
      outputFile: string | undefined;
      cache: LintCache | undefined;
    };

function parseCommand(argv: readonly string[]): ParsedCommand {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') return { kind: 'help' };
  if (command === '-v' || command === '--version') return { kind: 'version' };
  if (command !== 'lint') throw new UsageError(`unknown command ${JSON.stringify(command)}: the commands are \`locksmith lint\` and \`locksmith locks\``);

  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: {
        format: { type: 'string', short: 'f', default: 'stylish' },
        'output-file': { type: 'string', short: 'o' },
        'max-warnings': { type: 'string' },
        strict: { type: 'boolean', default: false },
        cache: { type: 'boolean', default: false },
        'cache-location': { type: 'string' },
        'cache-strategy': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };

  const format = values.format;
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}; got ${JSON.stringify(format)}`);
  }
  let maxWarnings: number | undefined;
  if (values['max-warnings'] !== undefined) {
    maxWarnings = Number(values['max-warnings']);
    if (!/^\d+$/.test(values['max-warnings']) || !Number.isSafeInteger(maxWarnings)) {
      throw new UsageError(`--max-warnings must be a whole number ≥ 0; got ${JSON.stringify(values['max-warnings'])}`);
    }
  }
  return {
    kind: 'lint',
    patterns: positionals,
    format: format as Format,
    maxWarnings,
    strict: values.strict,
    outputFile: values['output-file'],
    cache: parseCache(values.cache, values['cache-location'], values['cache-strategy']),
  };
}

/** `--cache [--cache-location f] [--cache-strategy s]`; the two refinements alone are a usage error. */
function parseCache(on: boolean, location: string | undefined, strategy: string | undefined): LintCache | undefined {
  if (!on) {
    if (location !== undefined || strategy !== undefined) {
      throw new UsageError('--cache-location and --cache-strategy need --cache');
    }
    return undefined;
  }
  if (strategy !== undefined && !(CACHE_STRATEGIES as readonly string[]).includes(strategy)) {
    throw new UsageError(`--cache-strategy must be one of ${CACHE_STRATEGIES.join(', ')}; got ${JSON.stringify(strategy)}`);
  }
  return {
    location: location ?? DEFAULT_CACHE_LOCATION,
    strategy: (strategy ?? 'metadata') as LintCache['strategy'],
  };
}

/** Where the command writes and which folder it lints from; the process's own by default. */
export interface CommandIO extends LocksIO {
  readonly cwd: string;
}

/** Runs `locksmith <argv…>` and returns the exit code: 0 clean, 1 findings, 2 bad usage or set-up. */
export async function main(
  argv: readonly string[],
  io: CommandIO = { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() },
): Promise<number> {
  try {
    // Loaded on demand: `locksmith lint` in CI should not pay for ioredis and the terminal view at start-up.
    if (argv[0] === 'locks') return await (await import('./locks/command.js')).runLocks(argv.slice(1), io);
    const command = parseCommand(argv);
    if (command.kind === 'help') {
      // A bare `locksmith` is a usage error: help goes to stderr and CI sees a failure, not a pass.
      (argv.length === 0 ? io.stderr : io.stdout).write(HELP);
      return argv.length === 0 ? 2 : 0;
    }
    if (command.kind === 'version') {
      io.stdout.write(`${packageVersion()}\n`);
      return 0;
    }
    const outcome = await lint({ ...command, cwd: io.cwd });
    if (outcome.notice) io.stderr.write(`locksmith: ${outcome.notice}\n`);
    if (outcome.report !== '') io.stdout.write(outcome.report.endsWith('\n') ? outcome.report : `${outcome.report}\n`);
    return outcome.exitCode;
  } catch (error) {
    if (error instanceof SetupError) {
      io.stderr.write(`locksmith: ${error.message}\n`);
      return 2;
    }
    if (error instanceof UsageError) {
      io.stderr.write(`locksmith: ${error.message}\n\nRun \`locksmith lint --help\` for usage.\n`);
      return 2;
    }
    const missing = missingPeer(error);
    if (missing !== undefined) {
      io.stderr.write(`locksmith: ${argv[0] ?? ''} needs the optional peer ${missing}: npm install ${missing}\n`);
      return 2;
    }
    // A crash is not a finding: exit 2 so that a CI gate never mistakes it for "lock problems found".
    io.stderr.write(`locksmith: unexpected failure\n${(error as Error).stack ?? String(error)}\n`);
    return 2;
  }
}

/** The optional peer (ioredis, log-update) whose absence made a dynamic import fail, if that is what happened. */
function missingPeer(error: unknown): string | undefined {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code !== 'ERR_MODULE_NOT_FOUND' || typeof message !== 'string') return undefined;
  return ['ioredis', 'log-update'].find((name) => message.includes(`'${name}'`));
}
