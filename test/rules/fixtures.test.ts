/**
 * The end-to-end contract of the plugin: every file in `fixtures/` is linted with the plugin's `recommended`
 * and `strict` configs through ESLint's Node API, and the findings must be exactly the ones recorded in the
 * files as caret annotations (format: fixtures/README.md).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import plugin from 'locksmith-js/eslint-plugin';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixturesDir = join(root, 'fixtures');
const LINTED = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;

/** All twelve rules (the README rules table): the fixtures record findings of each. */
const ALL_RULES = [
  'require-release-in-finally',
  'no-lock-around-read',
  'no-ttl-shorter-than-wait',
  'key-naming-convention',
  'no-floating-lock-call',
  'no-unchecked-get',
  'no-release-without-acquire',
  'no-boolean-block',
  'require-ttl',
  'no-check-then-lock',
  'no-force-release',
  'no-lock-order-inversion',
];

/** `//   ^^^^ locksmith/<rule-id>` with an optional ` [strict]` and an optional ` [typed]`. */
const ANNOTATION = /^(\s*)\/\/(\s*)(\^+)\s+locksmith\/([a-z-]+)(\s+\[strict\])?(\s+\[typed\])?\s*$/;

interface Finding {
  readonly file: string;
  readonly rule: string;
  readonly line: number;
  readonly column: number;
  /** For a finding on one line: its end column; for one spanning lines: the end of the first line's text. */
  readonly endColumn: number;
}

interface Expected extends Finding {
  readonly strictOnly: boolean;
  /** Found only with type information (a manager from another module). */
  readonly typedOnly: boolean;
}

function fixtureFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? fixtureFiles(join(dir, entry.name)) : [join(dir, entry.name)]))
    .filter((file) => LINTED.test(file))
    .sort();
}

/** Reads the caret annotations of one file. */
function readExpectations(file: string, text: string): Expected[] {
  const lines = text.split('\n');
  const expected: Expected[] = [];
  let target = 0; // 1-based line the next annotation points at
  lines.forEach((line, index) => {
    const match = ANNOTATION.exec(line);
    if (!match) {
      target = index + 1;
      return;
    }
    if (target === 0) throw new Error(`${file}:${index + 1}: an annotation needs a code line above it`);
    const carets = match[3]!;
    const column = line.indexOf(carets) + 1;
    expected.push({
      file,
      rule: match[4]!,
      line: target,
      column,
      endColumn: column + carets.length,
      strictOnly: match[5] !== undefined,
      typedOnly: match[6] !== undefined,
    });
  });
  return expected;
}

/** ESLint's findings of the locksmith rules, in the annotation's terms. */
function actualFindings(results: ESLint.LintResult[]): { findings: Finding[]; errors: string[] } {
  const findings: Finding[] = [];
  const errors: string[] = [];
  for (const result of results) {
    const file = relative(fixturesDir, result.filePath);
    const lines = readFileSync(result.filePath, 'utf8').split('\n');
    for (const message of result.messages) {
      if (!message.ruleId?.startsWith('locksmith/')) {
        errors.push(`${file}:${message.line}:${message.column} ${message.ruleId ?? 'fatal'}: ${message.message}`);
        continue;
      }
      const endLine = message.endLine ?? message.line;
      const endColumn =
        endLine === message.line
          ? (message.endColumn ?? message.column)
          : (lines[message.line - 1] ?? '').trimEnd().length + 1;
      findings.push({
        file,
        rule: message.ruleId.slice('locksmith/'.length),
        line: message.line,
        column: message.column,
        endColumn,
      });
    }
  }
  return { findings, errors };
}

const show = (finding: Finding): string =>
  `${finding.file}:${finding.line}:${finding.column}-${finding.endColumn} locksmith/${finding.rule}`;

const files = fixtureFiles(fixturesDir);
const expectations = files.flatMap((file) =>
  readExpectations(relative(fixturesDir, file), readFileSync(file, 'utf8')),
);
const registered = new Set(Object.keys(plugin.rules));

async function lint(eslint: ESLint): Promise<{ findings: string[]; errors: string[] }> {
  const results = await eslint.lintFiles(files);
  const { findings, errors } = actualFindings(results);
  return { findings: findings.map(show).sort(), errors };
}

function expectedFor(config: 'recommended' | 'strict', typed = false): string[] {
  return expectations
    .filter((finding) => config === 'strict' || !finding.strictOnly)
    .filter((finding) => typed || !finding.typedOnly)
    .filter((finding) => registered.has(finding.rule))
    .map(show)
    .sort();
}

describe('fixtures', () => {
  it('are annotated for every rule of the plugin, and only for rules that exist', () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
    const annotated = new Set(expectations.map((finding) => finding.rule));
    expect([...annotated].sort()).toEqual([...ALL_RULES].sort());
  });

  it('all twelve rules are registered in the plugin', () => {
    expect([...registered].sort()).toEqual([...ALL_RULES].sort());
  });

  for (const config of ['recommended', 'strict'] as const) {
    it(`linted with configs.${config} give exactly the recorded findings`, async () => {
      const eslint = new ESLint({
        cwd: root,
        overrideConfigFile: true,
        overrideConfig: [plugin.configs[config]],
        ignore: false,
      });
      const { findings, errors } = await lint(eslint);
      expect(errors).toEqual([]);
      expect(findings).toEqual(expectedFor(config));
    });
  }

  // What a user runs: `npx eslint --config fixtures/eslint.config.js fixtures/`, with the built plugin
  // (`locksmith-js/eslint-plugin` resolves to dist/ through the package's own exports; `npm test` builds first).
  for (const [config, file] of [
    ['recommended', 'eslint.config.js'],
    ['strict', 'eslint.strict.config.js'],
  ] as const) {
    it(`fixtures/${file} (the built plugin) gives exactly the recorded ${config} findings`, async () => {
      const eslint = new ESLint({ cwd: root, overrideConfigFile: join(fixturesDir, file) });
      const results = await eslint.lintFiles(['fixtures/']);
      const { findings, errors } = actualFindings(results);
      expect(errors).toEqual([]);
      expect(findings.map(show).sort(), 'stale dist/? run npm run build').toEqual(expectedFor(config));
    });
  }

  it('linted with type information (fixtures/tsconfig.json) give the same findings plus the [typed] ones: types add no false positives', async () => {
    const eslint = new ESLint({
      cwd: root,
      overrideConfigFile: true,
      overrideConfig: [
        plugin.configs.recommended,
        {
          files: ['fixtures/**/*.{ts,mts,cts}'],
          languageOptions: { parserOptions: { project: './tsconfig.json', tsconfigRootDir: fixturesDir } },
        },
      ],
      ignore: false,
    });
    const { findings, errors } = await lint(eslint);
    expect(errors).toEqual([]);
    expect(findings).toEqual(expectedFor('recommended', true));
  });

  it('linted with configs.recommendedTypeChecked (the project service, one line) give the same findings as the typed pass', async () => {
    const eslint = new ESLint({
      cwd: root,
      overrideConfigFile: true,
      overrideConfig: [plugin.configs.recommendedTypeChecked],
      ignore: false,
    });
    const typedFiles = files.filter((file) => /\.(ts|mts|cts)$/.test(file));
    const results = await eslint.lintFiles(typedFiles);
    const { findings, errors } = actualFindings(results);
    expect(errors).toEqual([]);
    const expected = expectations.filter((finding) => !finding.strictOnly && /\.(ts|mts|cts)$/.test(finding.file));
    expect(findings.map(show).sort()).toEqual(expected.filter((finding) => registered.has(finding.rule)).map(show).sort());
    expect(expected.some((finding) => finding.typedOnly)).toBe(true);
  });

  it('type-check against locksmith (fixtures/tsconfig.json)', () => {
    const configFile = join(fixturesDir, 'tsconfig.json');
    const { config } = ts.readConfigFile(configFile, (path) => ts.sys.readFile(path));
    const parsed = ts.parseJsonConfigFileContent(config, ts.sys, dirname(configFile));
    const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
    // The fixtures' own errors: a runtime file mid-edit is the runtime's tests' business.
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .filter((diagnostic) => diagnostic.file === undefined || diagnostic.file.fileName.startsWith(fixturesDir))
      .map((diagnostic) => {
        const where = diagnostic.file ? `${relative(fixturesDir, diagnostic.file.fileName)}: ` : '';
        return where + ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
      });
    expect(parsed.fileNames.length).toBeGreaterThan(10);
    expect(diagnostics).toEqual([]);
  });
});
