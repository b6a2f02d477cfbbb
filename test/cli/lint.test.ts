/**
 * `locksmith lint` on temporary project folders: mostly in-process through the command's `main(argv, io)`
 * (fast), and end to end as a child process (through tsx, so a test never runs a stale build) for exit codes.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locksmith, type Run } from './support/run-in-process.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/locksmith.ts');
const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;

/** The real command in a child process. */
function locksmithProcess(args: readonly string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', tsx, bin, ...args], { cwd, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        reject(error);
        return;
      }
      resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
    });
  });
}

const VIOLATION = `import { createLocks } from 'locksmith-js';

const locks = createLocks();

export async function importBatch(batchId: string): Promise<void> {
  await locks.lock(\`import:batch:\${batchId}\`, 5).block(30, async () => {
    await run(batchId);
  });
}

declare function run(id: string): Promise<void>;
`;

const CLEAN = `import { createLocks, type Lock } from 'locksmith-js';

const locks = createLocks();

export async function importBatch(batchId: string): Promise<void> {
  const lock: Lock = locks.lock(\`import:batch:\${batchId}\`, 120);
  await lock.block(30);
  try {
    await run(batchId);
  } finally {
    await lock.release();
  }
}

declare function run(id: string): Promise<void>;
`;

/** The official SARIF 2.1.0 schema (draft-04), as @microsoft/jest-sarif ships it, with its formats checked. */
async function sarifValidator() {
  // Both are CommonJS packages with an `exports.default`: required, to avoid default-import interop guesses.
  const require = createRequire(import.meta.url);
  const { default: Ajv } = require('ajv-draft-04') as { default: typeof import('ajv-draft-04').default };
  const { default: addFormats } = require('ajv-formats') as { default: typeof import('ajv-formats').default };
  const schemaPath = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
  const schema = JSON.parse(await readFile(schemaPath, 'utf8')) as object;
  // The schema's patterns are written for non-unicode regular expressions.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

let base: string;
let unregister: (() => Promise<void>) | undefined;
async function project(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(base, name);
  for (const [file, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await writeFile(join(dir, file), text);
  }
  return dir;
}

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'locksmith-cli-'));
  unregister = register();
});
afterAll(async () => {
  await unregister?.();
  await rm(base, { recursive: true, force: true });
});

describe('locksmith lint', () => {
  it('as a process: exits 1 with the finding on a violation, 0 and silent on a clean folder, 0 on --help', async () => {
    const violation = await project('violation', { 'src/import.ts': VIOLATION });
    const clean = await project('clean', { 'src/import.ts': CLEAN, 'src/plain.js': 'export const x = 1;\n' });
    const [found, quiet, help] = await Promise.all([
      locksmithProcess(['lint'], violation),
      locksmithProcess(['lint', 'src'], clean),
      locksmithProcess(['lint', '--help'], base),
    ]);
    expect(found.stderr).toBe('');
    expect(found.code).toBe(1);
    expect(found.stdout).toContain(join('src', 'import.ts'));
    expect(found.stdout).toMatch(/6:50\s+error\s+This lock's TTL \(5s\) is shorter than the wait \(30s\).*locksmith\/no-ttl-shorter-than-wait/);
    expect(quiet).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: locksmith lint [paths…] [options]');
    expect(help.stdout).toContain('--format <name>');
  });

  it('lints plain JavaScript: .js, .mjs and .cjs', async () => {
    const dir = await project('javascript', {
      'a.js': "export async function a() { await locks.lock('a:b:c', 1).block(2, () => go()); }\n",
      'b.mjs': "export async function b() { await locks.lock('a:b:c', 1).block(2, () => go()); }\n",
      'c.cjs': "exports.c = async () => { await locks.lock('a:b:c', 1).block(2, () => go()); };\n",
    });
    const run = await locksmith(['lint', '--format', 'json'], dir);
    expect(run.code).toBe(1);
    const results = JSON.parse(run.stdout) as { filePath: string; messages: { ruleId: string }[] }[];
    const byFile = Object.fromEntries(results.map((result) => [result.filePath.slice(dir.length + 1), result.messages.map((m) => m.ruleId)]));
    expect(byFile).toEqual({
      'a.js': ['locksmith/no-ttl-shorter-than-wait'],
      'b.mjs': ['locksmith/no-ttl-shorter-than-wait'],
      'c.cjs': ['locksmith/no-ttl-shorter-than-wait'],
    });
  });

  it('--format json gives ESLint results with positions', async () => {
    const dir = await project('json', { 'import.ts': VIOLATION });
    const run = await locksmith(['lint', 'import.ts', '--format', 'json'], dir);
    expect(run.code).toBe(1);
    const [result, ...others] = JSON.parse(run.stdout) as {
      filePath: string;
      errorCount: number;
      messages: { ruleId: string; line: number; column: number; endLine: number; endColumn: number; severity: number }[];
    }[];
    expect(others).toEqual([]);
    expect(result?.filePath).toBe(join(dir, 'import.ts'));
    expect(result?.errorCount).toBe(1);
    expect(result?.messages).toMatchObject([
      { ruleId: 'locksmith/no-ttl-shorter-than-wait', severity: 2, line: 6, column: 50, endLine: 8, endColumn: 5 },
    ]);
  });

  it('--format sarif gives a SARIF 2.1.0 log that validates against the official schema', async () => {
    const dir = await project('sarif', { 'import.ts': VIOLATION, 'clean.ts': CLEAN });
    const run = await locksmith(['lint', '--format', 'sarif'], dir);
    expect(run.code).toBe(1);
    const log = JSON.parse(run.stdout) as {
      version: string;
      runs: { tool: { driver: { rules: { id: string }[] } }; results: { ruleId: string; level: string; locations: unknown[] }[] }[];
    };

    const validate = await sarifValidator();
    expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);

    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    expect(log.runs[0]?.results).toMatchObject([
      {
        ruleId: 'locksmith/no-ttl-shorter-than-wait',
        level: 'error',
        locations: [{ physicalLocation: { artifactLocation: { uri: expect.stringMatching(/import\.ts$/) }, region: { startLine: 6, startColumn: 50 } } }],
      },
    ]);
    expect(log.runs[0]?.tool.driver.rules.map((rule) => rule.id)).toContain('locksmith/no-ttl-shorter-than-wait');
  });

  it('the schema check can fail: a log missing its required version is rejected', async () => {
    const validate = await sarifValidator();
    expect(validate({ runs: [] })).toBe(false);
    expect(validate({ version: '2.1.0', runs: [{ results: [] }] })).toBe(false);
  });

  it('--output-file writes the report instead of printing it', async () => {
    const dir = await project('output-file', { 'import.ts': VIOLATION });
    const run = await locksmith(['lint', '-f', 'json', '-o', 'report.json'], dir);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    const results = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as { errorCount: number }[];
    expect(results.map((result) => result.errorCount)).toEqual([1]);
  });

  it('--strict adds key-naming-convention', async () => {
    const dir = await project('strict', { 'job.ts': "export const job = () => locks.lock('resource', 60);\n" });
    expect(await locksmith(['lint'], dir)).toEqual({ code: 0, stdout: '', stderr: '' });
    const strict = await locksmith(['lint', '--strict'], dir);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('locksmith/key-naming-convention');
  });

  it('uses the project config when it enables the locksmith plugin', async () => {
    // The project's config turns one locksmith rule off and a core rule on: both choices must show.
    const plugin = pathToFileURL(join(root, 'rules/index.ts')).href;
    const dir = await project('project-config', {
      'eslint.config.mjs': `import locksmith from ${JSON.stringify(plugin)};
export default [
  locksmith.configs.strict,
  { rules: { 'locksmith/no-ttl-shorter-than-wait': 'off', 'no-debugger': 'error' } },
];
`,
      'import.ts': VIOLATION,
      'debug.ts': "export function f() { debugger; return locks.lock('resource', 1); }\n",
    });
    const run = await locksmith(['lint', '--format', 'json'], dir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const results = JSON.parse(run.stdout) as { filePath: string; messages: { ruleId: string }[] }[];
    const rules = results.flatMap((result) => result.messages.map((message) => message.ruleId)).sort();
    expect(rules).toEqual(['locksmith/key-naming-convention', 'no-debugger']);
  });

  it("lints with locksmith's config (and says so) when the project config does not enable the plugin", async () => {
    const dir = await project('foreign-config', {
      'eslint.config.mjs': "export default [{ rules: { 'no-debugger': 'error' } }, { ignores: ['import.ts'] }];\n",
      'import.ts': VIOLATION,
    });
    const run = await locksmith(['lint', 'import.ts'], dir);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('locksmith/no-ttl-shorter-than-wait');
    expect(run.stderr).toContain('does not enable the locksmith plugin');
  });

  it('--max-warnings fails on too many warnings', async () => {
    const plugin = pathToFileURL(join(root, 'rules/index.ts')).href;
    const dir = await project('warnings', {
      'eslint.config.mjs': `import locksmith from ${JSON.stringify(plugin)};
export default [locksmith.configs.recommended, { rules: { 'locksmith/no-ttl-shorter-than-wait': 'warn' } }];
`,
      'import.ts': VIOLATION,
    });
    const lenient = await locksmith(['lint'], dir);
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toContain('warning');
    expect((await locksmith(['lint', '--max-warnings', '1'], dir)).code).toBe(0);
    expect((await locksmith(['lint', '--max-warnings', '0'], dir)).code).toBe(1);
  });

  it('exits 2 with a helpful message on usage errors', async () => {
    const dir = await project('usage', { 'a.ts': 'export const a = 1;\n' });
    const [format, command, missing, maxWarnings, option, bare] = await Promise.all([
      locksmith(['lint', '--format', 'xml'], dir),
      locksmith(['check'], dir),
      locksmith(['lint', 'no-such-dir'], dir),
      locksmith(['lint', '--max-warnings', 'many'], dir),
      locksmith(['lint', '--fix'], dir),
      locksmith([], dir),
    ]);
    expect(format).toMatchObject({ code: 2, stdout: '' });
    expect(format.stderr).toContain('--format must be one of stylish, json, sarif');
    expect(command).toMatchObject({ code: 2 });
    expect(command.stderr).toContain('unknown command "check"');
    expect(missing).toMatchObject({ code: 2 });
    expect(missing.stderr).toContain('no-such-dir');
    expect(maxWarnings).toMatchObject({ code: 2 });
    expect(maxWarnings.stderr).toContain('--max-warnings must be a whole number');
    expect(option).toMatchObject({ code: 2 });
    expect(option.stderr).toContain("'--fix'");
    expect(bare).toMatchObject({ code: 2, stdout: '' });
    expect(bare.stderr).toContain('Usage: locksmith lint');
  });

  it('--version prints the package version, as `locksmith --version` and `locksmith lint --version`', async () => {
    const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
    const [top, sub, short] = await Promise.all([
      locksmithProcess(['--version'], base),
      locksmith(['lint', '--version'], base),
      locksmith(['-v'], base),
    ]);
    expect(top).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect(sub).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect(short).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('exits 2 with one line when the project config does not load', async () => {
    const dir = await project('broken-config', {
      'eslint.config.mjs': "import missing from './no-such-module.mjs';\nexport default [missing];\n",
      'import.ts': VIOLATION,
    });
    const run = await locksmithProcess(['lint'], dir);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^locksmith: .*eslint\.config\.mjs could not be loaded: .*no-such-module\.mjs.*\n$/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('--strict with a project config adds the strict rules on top, keeping the project options', async () => {
    const plugin = pathToFileURL(join(root, 'rules/index.ts')).href;
    const dir = await project('strict-on-project', {
      'eslint.config.mjs': `import locksmith from ${JSON.stringify(plugin)};
export default [
  locksmith.configs.recommended,
  { rules: { 'locksmith/no-ttl-shorter-than-wait': 'off', 'locksmith/key-naming-convention': ['off', { minSegments: 2 }] } },
];
`,
      'job.ts': "export const a = () => locks.lock('resource', 60);\nexport const b = () => locks.lock('sync:facility', 60);\n",
      'import.ts': VIOLATION,
    });
    expect(await locksmith(['lint'], dir)).toEqual({ code: 0, stdout: '', stderr: '' });
    const strict = await locksmith(['lint', '--strict', '--format', 'json'], dir);
    expect(strict.stderr).toBe('');
    expect(strict.code).toBe(1);
    const results = JSON.parse(strict.stdout) as { filePath: string; messages: { ruleId: string; line: number }[] }[];
    const found = results.flatMap((result) =>
      result.messages.map((message) => `${result.filePath.slice(dir.length + 1)}:${message.line} ${message.ruleId}`),
    );
    // Only 'resource' breaks the convention with the project's minSegments: 2; the rule the project turned off stays off.
    expect(found).toEqual(['job.ts:1 locksmith/key-naming-convention']);
  });

  it('--strict applies under the namespace the project registers the plugin with', async () => {
    const plugin = pathToFileURL(join(root, 'rules/index.ts')).href;
    const dir = await project('strict-renamed', {
      'eslint.config.mjs': `import locksmith from ${JSON.stringify(plugin)};
export default [{ files: ['**/*.ts'], languageOptions: locksmith.configs.recommended.languageOptions, plugins: { ls: locksmith } }];
`,
      'job.ts': "export const a = () => locks.lock('resource', 60);\n",
    });
    const strict = await locksmith(['lint', '--strict', '--format', 'json'], dir);
    expect(strict.stderr).toBe('');
    const results = JSON.parse(strict.stdout) as { messages: { ruleId: string }[] }[];
    expect(results.flatMap((result) => result.messages.map((message) => message.ruleId))).toEqual(['ls/key-naming-convention']);
    expect(strict.code).toBe(1);
  });

  it('is an executable script: the entry starts with a node shebang', async () => {
    const source = await readFile(bin, 'utf8');
    expect(source.split('\n')[0]).toBe('#!/usr/bin/env node');
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(pkg.bin['locksmith']).toBe('./dist/bin/locksmith.mjs');
  });
});
