/**
 * The analysis's fast path (rules/analysis/prefilter.ts) skips files whose tokens name no lock. It must lose
 * no finding: every fixture, the project's own files and snippets written to slip past a token check are linted
 * with all rules both ways (fast path on, then off) and must give the same messages, suggestions included.
 * (The rule tests' own cases run both ways too: see support/rule-tester.ts.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tsParser from '@typescript-eslint/parser';
import { ESLint, Linter } from 'eslint';
import * as espree from 'espree';
import { afterEach, describe, expect, it } from 'vitest';
import plugin from 'locksmith-js/eslint-plugin';
import { mayHaveLocks } from '../../rules/analysis/index.js';
import {
  cook,
  creatingMethodTokens,
  lockVocabulary,
  matcherOf,
  mayContainLocks,
  mayNameAny,
  prefilterDecision,
  prefilterVerdict,
  setFastPath,
} from '../../rules/analysis/prefilter.js';
import { readSettings } from '../../rules/analysis/settings.js';
import { createRule } from '../../rules/utils.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const typedRoot = fileURLToPath(new URL('./typed-global/', import.meta.url));
const LINTED = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;

afterEach(() => setFastPath(true));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) return [];
    const path = join(dir, entry.name);
    return entry.isDirectory() ? files(path) : LINTED.test(entry.name) ? [path] : [];
  });
}

/** Each message with everything a user sees of it: rule, message, range and suggested fixes. */
function describeMessages(messages: readonly Linter.LintMessage[]): unknown[] {
  return messages.map(({ ruleId, messageId, message, line, column, endLine, endColumn, suggestions, fatal }) => ({
    ruleId,
    messageId,
    message,
    line,
    column,
    endLine,
    endColumn,
    fatal,
    suggestions: suggestions?.map(({ messageId: id, fix }) => ({ id, fix })),
  }));
}

async function lintFilesBothWays(paths: readonly string[], config: Linter.Config[]): Promise<{ on: unknown; off: unknown; findings: number }> {
  const run = async (fast: boolean) => {
    setFastPath(fast);
    const eslint = new ESLint({ cwd: root, overrideConfigFile: true, overrideConfig: config, ignore: false });
    const results = await eslint.lintFiles([...paths]);
    return results.map((result) => ({ file: result.filePath, messages: describeMessages(result.messages) }));
  };
  const on = await run(true);
  const off = await run(false);
  const findings = on.reduce((sum, result) => sum + result.messages.length, 0);
  return { on, off, findings };
}

interface Snippet {
  readonly code: string;
  readonly settings?: Record<string, unknown>;
  readonly parser?: 'typescript' | 'espree-module' | 'espree-commonjs' | 'espree-script';
  readonly typed?: boolean;
}

/** How a snippet is parsed: its language options and the file name it is linted as. */
function parsing(snippet: Snippet): { languageOptions: Linter.LanguageOptions; filename: string } {
  const parser = snippet.parser ?? 'typescript';
  if (parser !== 'typescript') {
    return {
      languageOptions: {
        parser: espree,
        ecmaVersion: 2024,
        sourceType: parser === 'espree-module' ? 'module' : parser === 'espree-script' ? 'script' : 'commonjs',
      },
      filename: parser === 'espree-module' ? 'file.ts' : 'file.cjs',
    };
  }
  if (!snippet.typed) return { languageOptions: { parser: tsParser as Linter.Parser }, filename: 'file.ts' };
  return {
    languageOptions: {
      parser: tsParser as Linter.Parser,
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: typedRoot, disallowAutomaticSingleRunInference: true },
    },
    filename: join(typedRoot, 'file.ts'),
  };
}

function lintSnippet(snippet: Snippet, fast: boolean): Linter.LintMessage[] {
  setFastPath(fast);
  const { languageOptions, filename } = parsing(snippet);
  return new Linter({ configType: 'flat' }).verify(
    snippet.code,
    [
      {
        ...plugin.configs.strict,
        files: ['**/*.{ts,js,cjs}'],
        languageOptions,
        settings: snippet.settings ?? {},
      } as Linter.Config,
    ],
    { filename },
  );
}

/**
 * Code that takes locks in ways a token check could miss. Each one must give findings (so a fast path that
 * skipped it would fail) and the same ones both ways.
 */
const SNIPPETS: Record<string, Snippet> = {
  'factory name spelled with a unicode escape': {
    code: `export async function f() { \\u0063ache.lock('a:b:c', 5).get(); }`,
  },
  'method name spelled with an escape': {
    code: `export async function f() { cache.lo\\u{63}k('a:b:c', 5).get(); }`,
  },
  'module specifier with a hex escape': {
    code: `import { createLocks } from 'locksmith\\x2djs';\nconst m = createLocks();\nexport async function f() { m.lock('a:b:c', 5).get(); }`,
  },
  'module specifier with a line continuation': {
    code: `import { createLocks } from 'locksmith\\\n-js';\nconst m = createLocks();\nexport async function f() { m.lock('a:b:c', 5).get(); }`,
  },
  'module specifier with an octal escape (sloppy CommonJS)': {
    code: `const { createLocks } = require('locksmith\\055js');\nconst m = createLocks();\nasync function f() { m.lock('a:b:c', 5).get(); }`,
    parser: 'espree-commonjs',
  },
  'require() deep inside a function, no import': {
    code: `async function f() {\n  const m = require("locksmith-js").createLocks();\n  m.lock('a:b:c', 5).get();\n}`,
    parser: 'espree-commonjs',
  },
  'dynamic import() only': {
    code: `export async function f() {\n  const { createLocks } = await import('locksmith-js');\n  const m = createLocks();\n  m.lock('a:b:c', 5).get();\n}`,
  },
  'import x = require()': {
    code: `import ls = require('locksmith-js');\nconst m = ls.createLocks();\nexport async function f() { m.lock('a:b:c', 5).get(); }`,
  },
  'a type-only import of Lock': {
    code: `import type { Lock } from 'locksmith-js';\nexport async function f(lock: Lock) { lock.release(); }`,
  },
  'an import() type annotation and no import at all': {
    code: `export async function f(lock: import('locksmith-js').Lock) { lock.release(); }`,
  },
  'factory name as a computed string': {
    code: `export class S { async f() { this['locks'].lock('a:b:c', 5).get(); } }`,
  },
  'factory name as a template literal, method as a string': {
    code: 'export class S { async f() { this[`locks`][\'lock\'](\'a:b:c\', 5).get(); } }',
  },
  'factory named in settings only': {
    code: `export async function f() { mutexes.lock('a:b:c', 5).get(); }`,
    settings: { locksmith: { lockFactories: ['mutexes'] } },
  },
  'private field named in settings': {
    code: `export class S { #guards = make(); async f() { this.#guards.lock('a:b:c', 5).get(); } }\ndeclare function make(): any;`,
    settings: { locksmith: { lockFactories: ['#guards'] } },
  },
  'factory named like a keyword': {
    code: `export async function f(x: any) { x.default.lock('a:b:c', 5).get(); }`,
    settings: { locksmith: { lockFactories: ['default'] } },
  },
  'redlock required deep inside a function': {
    code: `async function f(client) {\n  const Redlock = require('redlock').default;\n  const redlock = new Redlock([client]);\n  const lock = await redlock.acquire(['a:b:c'], 5000);\n  await work();\n  await lock.release();\n}`,
    parser: 'espree-commonjs',
  },
  'an async-mutex named in settings, no import': {
    code: `export async function f() { const release = await mutex.acquire(); await work(); release(); }\ndeclare function work(): Promise<void>;`,
    settings: { locksmith: { libraries: { 'async-mutex': { names: ['mutex'] } } } },
  },
  'a redis-semaphore module specifier with an escape': {
    code: `import { Mutex } from 'redis\\u002dsemaphore';\nexport async function f(redis: any) { const m = new Mutex(redis, 'a:b:c', { lockTimeout: 1000, acquireTimeout: 5000 }); await m.acquire(); await work(); await m.release(); }\ndeclare function work(): Promise<void>;`,
  },
  'an identity escape in the module specifier': {
    code: `import { createLocks } from 'locksmith\\-js';\nconst m = createLocks();\nexport async function f() { m.lock('a:b:c', 5).get(); }`,
  },
  'an escaped backslash right before an escaped factory name': {
    code: `const s = '\\\\'; export async function f() { \\u0063ache.lock('a:b:c', 5).get(); }`,
  },
  'regular expressions and control escapes before an escaped method name': {
    code: `const re = /\\d+\\.\\w/; const t = 'a\\nb\\tc'; export async function f() { cache.lo\\u0063k('a:b:c', 5).get(); }`,
  },
  'an empty factory name in settings': {
    code: `export class S { async f() { this[''].lock('a:b:c', 5).get(); } }`,
    settings: { locksmith: { lockFactories: [''] } },
  },
  'text with characters beyond Latin-1': {
    code: `// 日本語 → ✓\nexport async function f() { cache.lock('a:b:c', 5).get(); }`,
  },
  // The second stage (factory-calls.ts): the file names a factory and a creating method and nothing else, so
  // each creating call's receiver is resolved as the analysis resolves it (SECOND_STAGE below lists these).
  'a manager reached through an alias': {
    code: `const m = cache;\nexport async function f() { m.lock('a:b:c', 5).get(); }`,
  },
  'an alias of an alias, assigned after its declaration': {
    code: `let m;\nconst n = m;\nm = locks;\nexport async function f() { n.lock('a:b:c', 5).get(); m.lock('a:b:c', 5).get(); }`,
  },
  'a member chain this.cache.lock()': {
    code: `export class S { async f() { this.cache.lock('a:b:c', 5).get(); } }`,
  },
  'a deeper member chain ending in a factory name': {
    code: `export async function f(app: any) { app.services.Cache.lock('a:b:c', 5).get(); }`,
  },
  'a class field holding a factory, read through this': {
    code: `export class S { guard = cache; async f() { this.guard.lock('a:b:c', 5).get(); } }`,
  },
  'a field assigned in the constructor, used through an arrow function': {
    code: `export class S {\n  guard: any;\n  constructor() { this.guard = Cache; }\n  f = async () => { this.guard.lock('a:b:c', 5).get(); };\n}`,
  },
  'a field initialised from another field': {
    code: `export class S { a = locks; b = this.a; async f() { this.b.lock('a:b:c', 5).get(); } }`,
  },
  'a destructured factory name': {
    code: `export async function f(deps: any) { const { cache } = deps; cache.lock('a:b:c', 5).get(); }`,
  },
  'a parameter defaulting to a factory (its default is a write)': {
    code: `export async function f(m = cache) { m.lock('a:b:c', 5).get(); }`,
  },
  'a factory name as a parameter': {
    code: `export async function f(locks: any) { locks.lock('a:b:c', 5).get(); }`,
  },
  'a manager imported from another module under a factory name': {
    code: `import { cache } from './infra/cache';\nexport async function f() { cache.lock('a:b:c', 5).get(); }`,
  },
  'a manager imported from another module and re-exported, aliased locally': {
    code: `import { locks } from './infra/locks';\nexport { locks };\nexport const guard = locks;\nexport async function f() { guard.lock('a:b:c', 5).get(); }`,
  },
  'a re-exported factory with a local creating call': {
    code: `export { cache } from './infra/cache';\nimport { cache } from './infra/cache';\nexport async function f() { cache.restoreLock('a:b:c', 'owner').release(); cache.lock('a:b:c', 5).get(); }`,
  },
  'a creating method through an optional chain, a non-null assertion and a computed template': {
    code: "const m = cache;\nexport async function f() { m?.lock('a:b:c', 5).get(); (m.lock!)('a:b:c', 5).get(); m[`lock`]('a:b:c', 5).get(); }",
  },
  'a creating method behind an instantiation expression': {
    code: `const m = cache;\nexport async function f() { (m.lock<string>)('a:b:c', 5).get(); }`,
  },
  'a var used before its declaration, in a nested closure': {
    code: `export function g() { return async () => { m.lock('a:b:c', 5).get(); }; }\nvar m = locks;`,
  },
  'a top-level var of a script (global scope)': {
    code: `var m = cache;\nasync function f() { m.lock('a:b:c', 5).get(); }`,
    parser: 'espree-script',
  },
  'a non-manager lock() next to a real one (the second call decides)': {
    code: `function worker(lock) { lock.lock(); }\nconst m = cache;\nexport async function f() { m.lock('a:b:c', 5).get(); }`,
    parser: 'espree-module',
  },
  'a factory named in settings, reached through a class field alias': {
    code: `export class S { g = mutexes; async f() { this.g.lock('a:b:c', 5).get(); } }`,
    settings: { locksmith: { lockFactories: ['mutexes'] } },
  },
  'a factory name that is also a creating method': {
    code: `const m = lock;\nexport async function f() { m.lock('a:b:c', 5).get(); }`,
    settings: { locksmith: { lockFactories: ['lock'] } },
  },
  // Not for the second stage: a library, a profile name. A non-manager `lock()` must not make it skip them.
  'a library import next to a non-manager lock() (redlock)': {
    code: `import Redlock from 'redlock';\nfunction worker(lock: any) { lock.lock(); }\nconst cache = new Map();\nexport async function f(client: any) {\n  const redlock = new Redlock([client]);\n  const held = await redlock.acquire(['a:b:c'], 5000);\n  await work();\n  await held.release();\n}\ndeclare function work(): Promise<void>;`,
  },
  'a library import next to a non-manager lock() (redis-semaphore)': {
    code: `import { Mutex } from 'redis-semaphore';\nfunction worker(lock: any) { lock.lock(); }\nconst cache = new Map();\nexport async function f(redis: any) { const m = new Mutex(redis, 'a:b:c', { lockTimeout: 1000, acquireTimeout: 5000 }); await m.acquire(); await work(); await m.release(); }\ndeclare function work(): Promise<void>;`,
  },
  'a library import next to a non-manager lock() (async-mutex)': {
    code: `import { Mutex } from 'async-mutex';\nfunction worker(lock: any) { lock.lock(); }\nconst cache = new Map();\nconst mutex = new Mutex();\nexport async function f() { const release = await mutex.acquire(); await work(); release(); }\ndeclare function work(): Promise<void>;`,
  },
  'a profile receiver name next to a non-manager lock()': {
    code: `function worker(lock: any) { lock.lock(); }\nconst cache = new Map();\nexport async function f() { const release = await mutex.acquire(); await work(); release(); }\ndeclare function work(): Promise<void>;`,
    settings: { locksmith: { libraries: { 'async-mutex': { names: ['mutex'] } } } },
  },
  'typed: a global manager, no import, no factory name': {
    code: `async function f() { appLocks.lock('a:b:c', 5).get(); }`,
    typed: true,
  },
  'typed: a global lock, only released': {
    code: `async function f() { heldLock.release(); }`,
    typed: true,
  },
};

/** The snippets above that the token check leaves to the second stage (checked below: they really reach it). */
const SECOND_STAGE = Object.keys(SNIPPETS).filter((name) => {
  const names = Object.keys(SNIPPETS);
  return names.indexOf(name) >= names.indexOf('a manager reached through an alias') &&
    names.indexOf(name) < names.indexOf('a library import next to a non-manager lock() (redlock)');
});

/**
 * Files the second stage must rule out: the tokens name a factory and a creating method, but no creating call
 * has a manager for receiver as the analysis resolves it. Linted with the fast path off they give no finding.
 */
const RULED_OUT: Record<string, Snippet> = {
  "vite's bundle: a worker's lock.lock() next to a cache option": {
    code: `const options = { cache: true };\nconst createRequester = (port, lock) => () => { lock.lock(); port.postMessage(1); };\nexport { options, createRequester };`,
    parser: 'espree-module',
  },
  'a factory renamed by destructuring': {
    code: `export async function f(deps: any) { const { cache: c } = deps; c.lock('a:b:c', 5).get(); }`,
  },
  'a factory renamed on import': {
    code: `import { cache as c } from './infra/cache';\nexport async function f() { c.lock('a:b:c', 5).get(); }`,
  },
  'an implicit global assigned a factory in a sloppy script': {
    code: `m = cache;\nasync function f() { m.lock('a:b:c', 5).get(); }`,
    parser: 'espree-script',
  },
  'a creating method named but never called on a manager': {
    code: "const cache = new Map();\nconst s = 'lock';\nconst o = { lock: cache, restoreLock() {} };\nclass A { lock() {} restoreLock = 1; }\nlock(cache);\nexport const x = [o.lock, new cache.lock(), o[s], o[`lock${s}`](), typeof A];",
  },
  'a creating call on what a call returns': {
    code: `export async function f(make: any) { make(cache).lock('a:b:c', 5).get(); (await cache).lock('a:b:c', 5).get(); }`,
  },
  'a local shadowing nothing, a field never given a factory': {
    code: `export class S { guard = new Map(); other = cache; async f() { this.guard.lock('a:b:c', 5).get(); } }`,
  },
};

/** The fast path's decision for one snippet, and the token verdict it started from. */
function decide(snippet: Snippet): { verdict: string; decision: boolean } {
  let seen: { verdict: string; decision: boolean } | undefined;
  const probe = {
    create(context: Parameters<typeof mayHaveLocks>[0]) {
      const settings = readSettings(context.settings as Record<string, unknown>);
      const { text, ast } = context.sourceCode;
      seen = { verdict: prefilterVerdict(text, ast.tokens, lockVocabulary(settings), false), decision: mayHaveLocks(context) };
      return {};
    },
  };
  const { languageOptions, filename } = parsing(snippet);
  new Linter({ configType: 'flat' }).verify(
    snippet.code,
    [
      {
        files: ['**/*.{ts,cjs}'],
        plugins: { test: { rules: { probe } } as unknown as ESLint.Plugin },
        languageOptions,
        settings: snippet.settings ?? {},
        rules: { 'test/probe': 'error' },
      } as Linter.Config,
    ],
    { filename },
  );
  if (!seen) throw new Error('the probe rule did not run');
  return seen;
}

describe('the fast path loses no finding', () => {
  // Whole-project lints, twice each: slow on a loaded machine.
  const LONG = 180_000;

  it('on every fixture, with every rule (strict)', { timeout: LONG }, async () => {
    const fixtures = files(join(root, 'fixtures'));
    expect(fixtures.length).toBeGreaterThanOrEqual(20);
    const untyped = await lintFilesBothWays(fixtures, [plugin.configs.strict]);
    expect(untyped.findings).toBeGreaterThanOrEqual(11);
    expect(untyped.on).toEqual(untyped.off);
  });

  it('on every fixture with type information', { timeout: LONG }, async () => {
    const fixtures = files(join(root, 'fixtures'));
    const typed = await lintFilesBothWays(fixtures, [
      plugin.configs.strict,
      {
        files: ['fixtures/**/*.{ts,mts,cts}'],
        languageOptions: {
          parserOptions: {
            project: './tsconfig.json',
            tsconfigRootDir: join(root, 'fixtures'),
            // With CI=true typescript-eslint assumes one lint per process and keeps the first run's programs;
            // the second run (fast path off) must see the same, fully built programs.
            disallowAutomaticSingleRunInference: true,
          },
        },
      },
    ]);
    expect(typed.findings).toBeGreaterThanOrEqual(11);
    expect(typed.on).toEqual(typed.off);
  });

  it("on the project's own source, tests, scripts and benchmarks", { timeout: LONG }, async () => {
    const own = ['src', 'rules', 'bin', 'test', 'scripts', 'bench'].flatMap((dir) => files(join(root, dir)));
    expect(own.length).toBeGreaterThan(100);
    const { on, off, findings } = await lintFilesBothWays(own, [plugin.configs.strict]);
    expect(findings).toBeGreaterThan(0);
    expect(on).toEqual(off);
  });

  for (const [name, snippet] of Object.entries(SNIPPETS)) {
    it(`on ${name}`, () => {
      const on = lintSnippet(snippet, true);
      const off = lintSnippet(snippet, false);
      expect(off.filter((message) => message.fatal)).toEqual([]);
      expect(off.filter((message) => message.ruleId?.startsWith('locksmith/')).length).toBeGreaterThan(0);
      expect(describeMessages(on)).toEqual(describeMessages(off));
    });
  }

  it('puts the second-stage snippets to the second stage, which keeps each of them', () => {
    expect(SECOND_STAGE.length).toBeGreaterThanOrEqual(15);
    for (const name of SECOND_STAGE) expect([name, decide(SNIPPETS[name]!)]).toEqual([name, { verdict: 'factory-calls', decision: true }]);
  });

  it('finds every creating method of a second-stage file while deciding, as creatingMethodTokens does', () => {
    const extra = `const a = cache; a.lock('x'); b['lock'](); c[\`lock\`](); d.lo\\u0063k(); e.restoreLock('k', 'o'); // lock\nf('a lock');`;
    const codes = [...SECOND_STAGE.map((name) => SNIPPETS[name]!.code), ...Object.values(RULED_OUT).map((snippet) => snippet.code), extra];
    const starts = (tokens: readonly { range: [number, number] }[]) => tokens.map((token) => token.range[0]).sort((a, b) => a - b);
    let compared = 0;
    for (const code of codes) {
      const { tokens } = tsParser.parseForESLint(code, { range: true, loc: true, tokens: true, comment: true }).ast;
      const vocabulary = lockVocabulary(readSettings({}));
      const { verdict, creatingMethods } = prefilterDecision(code, tokens, vocabulary, false);
      expect([code, verdict]).toEqual([code, prefilterVerdict(code, tokens, vocabulary, false)]);
      if (verdict !== 'factory-calls') continue;
      expect([code, creatingMethods && starts(creatingMethods)]).toEqual([code, starts(creatingMethodTokens(code, tokens, vocabulary))]);
      compared += 1;
    }
    expect(compared).toBeGreaterThanOrEqual(SECOND_STAGE.length + 1);
    const { tokens } = tsParser.parseForESLint(extra, { range: true, tokens: true }).ast;
    expect(prefilterDecision(extra, tokens, lockVocabulary(readSettings({})), false).creatingMethods).toHaveLength(5);
  });

  for (const [name, snippet] of Object.entries(RULED_OUT)) {
    it(`rules out ${name} in the second stage, and the full analysis agrees`, () => {
      expect(decide(snippet)).toEqual({ verdict: 'factory-calls', decision: false });
      const off = lintSnippet(snippet, false);
      expect(off.filter((message) => message.fatal)).toEqual([]);
      expect(off.filter((message) => message.ruleId?.startsWith('locksmith/'))).toEqual([]);
      expect(describeMessages(lintSnippet(snippet, true))).toEqual(describeMessages(off));
    });
  }
});

describe('a locksmith rule on a file without locks', () => {
  let created = 0;
  const probe = createRule({
    name: 'probe',
    meta: { type: 'problem', docs: { description: 'counts create() calls', recommended: 'strict' }, schema: [], messages: {} },
    defaultOptions: [],
    create() {
      created += 1;
      return {};
    },
  });
  const lint = (code: string) =>
    new Linter({ configType: 'flat' }).verify(code, [
      {
        files: ['**/*.ts'],
        plugins: { test: { rules: { probe } } as unknown as ESLint.Plugin },
        languageOptions: { parser: tsParser as Linter.Parser },
        rules: { 'test/probe': 'error' },
      },
    ], { filename: 'file.ts' });

  it('is not created at all: it registers no listener and builds no state or options', () => {
    created = 0;
    lint(`const cache = new Map(); cache.get('a'); export {};`);
    expect(created).toBe(0);
    lint(`export async function f() { await cache.lock('a:b', 5).get(); }`);
    expect(created).toBe(1);
    setFastPath(false);
    lint(`const cache = new Map(); cache.get('a'); export {};`);
    expect(created).toBe(2);
  });
});

describe('the per-file decision across lints', () => {
  const LOCKED = `import { createLocks } from 'locksmith-js';\nconst locks = createLocks();\nexport async function f() {\n  await locks.lock('a:b', 5).get();\n}\n`;
  const FREE = `export function g(cache: Map<string, number>) {\n  return cache.get('a');\n}\n`;
  const FACTORY = `export async function h(store: { lock(name: string, ttl: number): { get(): Promise<boolean> } }) {\n  await store.lock('a:b', 5).get();\n}\n`;
  const locksmithFindings = (messages: readonly Linter.LintMessage[]) =>
    describeMessages(messages.filter((message) => message.ruleId?.startsWith('locksmith/') || message.fatal));
  const instance = (settings: Record<string, unknown>) =>
    new ESLint({
      cwd: root,
      overrideConfigFile: true,
      overrideConfig: [{ ...plugin.configs.strict, files: ['**/*.ts'], settings } as Linter.Config],
      ignore: false,
    });
  const lintTexts = async (eslint: ESLint, texts: readonly string[]) => {
    const out: unknown[][] = [];
    for (const [index, text] of texts.entries()) {
      const [result] = await eslint.lintText(text, { filePath: join(root, `decision-${index}.ts`) });
      out.push(locksmithFindings(result!.messages));
    }
    return out;
  };

  it('decides every file of one ESLint instance on its own content, files with and without locks in turn', async () => {
    const texts = [FREE, LOCKED, FREE, LOCKED, FREE];
    const on = await lintTexts(instance({}), texts);
    setFastPath(false);
    const off = await lintTexts(instance({}), texts);
    expect(on).toEqual(off);
    expect(on.map((findings) => findings.length > 0)).toEqual([false, true, false, true, false]);
  });

  it('decides the same text anew under each config: two instances with different settings, linted alternately', async () => {
    const withStore = instance({ locksmith: { lockFactories: ['store'] } });
    const without = instance({});
    const results: unknown[][] = [];
    for (let round = 0; round < 2; round += 1) {
      results.push(...(await lintTexts(withStore, [FACTORY])), ...(await lintTexts(without, [FACTORY])));
    }
    expect(results.map((findings) => findings.length > 0)).toEqual([true, false, true, false]);
    setFastPath(false);
    expect(await lintTexts(withStore, [FACTORY])).toEqual([results[0]]);
    expect(await lintTexts(without, [FACTORY])).toEqual([results[1]]);
  });

  it('sees settings changed in place between Linter.verify calls (each call hands the rules a new settings object)', () => {
    const locksmith = { lockFactories: [] as string[] };
    const verify = (fast: boolean) => {
      setFastPath(fast);
      return locksmithFindings(
        new Linter({ configType: 'flat' }).verify(
          FACTORY,
          [{ ...plugin.configs.strict, files: ['**/*.ts'], settings: { locksmith } } as Linter.Config],
          { filename: 'file.ts' },
        ),
      );
    };
    expect(verify(true)).toEqual([]);
    locksmith.lockFactories.push('store');
    const on = verify(true);
    expect(on.length).toBeGreaterThan(0);
    expect(on).toEqual(verify(false));
    locksmith.lockFactories.length = 0;
    expect(verify(true)).toEqual([]);
  });

  it('reads a settings object once, and every other settings object on its own, however they alternate', () => {
    const a = { locksmith: { lockFactories: ['alpha'] } };
    const b = { locksmith: { lockFactories: ['beta'] } };
    const readA = readSettings(a);
    expect(readA.lockFactories).toContain('alpha');
    expect(readSettings(b).lockFactories).toContain('beta');
    expect(readSettings(b).lockFactories).not.toContain('alpha');
    expect(readSettings(a)).toBe(readA);
    expect(lockVocabulary(readSettings(b)).factories).toContain('beta');
    expect(lockVocabulary(readSettings(a)).factories).toContain('alpha');
    // The decided limit: an object already read is not read again (ESLint hands out a new one for a new config).
    a.locksmith.lockFactories.push('gamma');
    expect(readSettings(a)).toBe(readA);
    expect(readSettings({ ...a }).lockFactories).toContain('gamma');
    // Settings without a locksmith object share the defaults.
    expect(readSettings({})).toBe(readSettings({ other: 1 }));
    expect(readSettings(undefined)).toBe(readSettings({}));
  });
});

const tokensOf = (code: string) =>
  tsParser.parseForESLint(code, { range: true, loc: true, tokens: true, comment: true }).ast.tokens;

describe('mayContainLocks', () => {
  /** The token verdict, checked against the first look: the first look never rules out what the verdict keeps. */
  const check = (code: string, locksmith: Record<string, unknown> = {}, typed = false) => {
    const tokens = tokensOf(code);
    const verdict = mayContainLocks(code, tokens, lockVocabulary(readSettings({ locksmith })), typed);
    if (verdict) expect(mayNameAny(code, tokens, matcherOf({ locksmith }, typed))).toBe(true);
    return verdict;
  };

  it('skips code that names no lock module and no factory with a creating method', () => {
    expect(check(`const cache = new Map(); cache.get('a'); export {};`)).toBe(false);
    expect(check(`import { lock } from 'proper-lockfile'; lock('file');`)).toBe(false);
    expect(check(`// import { createLocks } from 'locksmith-js'\nconst s = "createLocks from locksmith-js";`)).toBe(false);
    expect(check(`import plugin from 'locksmith-js/eslint-plugin'; export default [plugin];`)).toBe(false);
    expect(check(`mutexes.lock('a');`)).toBe(false);
    // A name inside a longer word or a comment passes the text search; the token pass still skips the file.
    expect(check(`// the cache must not lock up\nconst blocks = cacheSize;`)).toBe(false);
    expect(check(`const re = /\\d+/; const cachedValue = 1; // a backslash: the token pass decides`)).toBe(false);
    // Both names occur in the text as whole words, but only in a comment and inside a string.
    expect(check(`// cache\nconst s = 'we lock it';`)).toBe(false);
    expect(check(`const file = 'package-lock.json'; const cache = new Map();`)).toBe(false);
    // A factory name makes locks through locksmith's creating methods only, not redlock's.
    expect(check(`cache.acquire('a'); cache.using('a', 1, f);`)).toBe(false);
    expect(check(`const s = '\\n\\t\\\\'; const re = /\\d\\w/; // no name anywhere`)).toBe(false);
  });

  it('finds names wherever a token can carry them: next to `$`, digits, quotes, `#` and template delimiters', () => {
    expect(check('this[`locks${x}`].lock(1);')).toBe(true);
    expect(check('this[`${x}locks`].lock(1);')).toBe(true);
    expect(check('x = 1+cache.lock(1);')).toBe(true);
    expect(check(`x["cache"]["lock"](1);`)).toBe(true);
    expect(check(`class A { #locks = 1; f() { this.#locks.lock(1); } }`, { lockFactories: ['#locks'] })).toBe(true);
    expect(check(`class A { #locks = 1; f() { this.#locks.lock(1); } }`)).toBe(true);
    // A name inside a longer identifier is not that identifier.
    expect(check(`$cache.lock(1); cache_.lock(1); xcache.lock(1);`)).toBe(false);
  });

  it('reads escaped tokens cooked, whatever other escapes the file has', () => {
    expect(check(`const s = '\\\\'; \\u0063ache.lock(1);`)).toBe(true);
    expect(check(`const s = '\\n'; x['c\\x61che']['lo\\u{63}k'](1);`)).toBe(true);
    expect(check(`import 'locksmith\\-js';`)).toBe(true);
    expect(check(`import 'locksmith\\x2djs';`)).toBe(true);
    expect(check(`const s = 'cache\\n'; s.lock(1);`)).toBe(false);
  });

  it('finds configured names made only of frequent characters, and names shorter than a search anchor', () => {
    expect(check(`store.lock(1);`, { lockFactories: ['store'] })).toBe(true);
    expect(check(`x['store'].restoreLock(1, o);`, { lockFactories: ['store'] })).toBe(true);
    expect(check(`ab.lock(1);`, { lockFactories: ['ab'] })).toBe(true);
    expect(check(`a.lock(1);`, { lockFactories: ['a'] })).toBe(true);
    // Inside longer words, in a comment, or without a creating method: not a factory call.
    expect(check(`restore.lock(1); stores.lock(1); // store\nconst s = 'a store';`, { lockFactories: ['store'] })).toBe(false);
    expect(check(`store.get(1);`, { lockFactories: ['store'] })).toBe(false);
    expect(check(`import 'redis-semaphore';`)).toBe(true);
    expect(check(`import 'async-mutex';`)).toBe(true);
    expect(check(`const s = 'redis-semaphores'; const t = 'async-mutex-x';`)).toBe(false);
  });

  it('finds every name that shares a search with others, and only as a whole value', () => {
    // `lock`, `redlock`, `locksmith-js` and `@sesamecare-oss/redlock` share one search (`k`).
    expect(check(`import Redlock from '@sesamecare-oss/redlock';`)).toBe(true);
    expect(check(`import Redlock from 'redlock';`)).toBe(true);
    expect(check(`const m = require('locksmith-js');`)).toBe(true);
    expect(check(`const s = ['blocksmith-js', 'unredlock', 'redlocks', '@sesamecare-oss/redlocker', 'x-locksmith-js-y'];`)).toBe(false);
    expect(check(`const BlockStatement = 1; clock.unlock(); blocks.lockers = 1;`)).toBe(false);
    // Configured names that hold a default name, once or twice.
    const unlocker = { libraries: { 'async-mutex': { names: ['unlocker'] } } };
    expect(check(`unlocker.acquire();`, unlocker)).toBe(true);
    expect(check(`const unlocked = unlockers;`, unlocker)).toBe(false);
    const twice = { libraries: { 'async-mutex': { names: ['locklock'] } } };
    expect(check(`x.locklock.acquire();`, twice)).toBe(true);
    expect(check(`x.locklocks.acquire(); const lock_lock = 1;`, twice)).toBe(false);
  });

  it('looks for an empty configured name (the value of `\'\'`) in the tokens', () => {
    expect(check(`x[''].lock(1);`, { lockFactories: [''] })).toBe(true);
    expect(check(`x.y.lock(1);`, { lockFactories: [''] })).toBe(false);
  });

  it('keeps code that imports a lock module or calls a creating method on a factory name', () => {
    expect(check(`import { createLocks } from 'locksmith-js';`)).toBe(true);
    expect(check(`cache.lock('a');`)).toBe(true);
    expect(check(`mutexes.lock('a');`, { lockFactories: ['mutexes'] })).toBe(true);
    expect(check(`import Redlock from 'redlock';`)).toBe(true);
    expect(check(`const { Mutex } = require('async-mutex');`)).toBe(true);
    expect(check(`import { Mutex } from 'redis-semaphore';`)).toBe(true);
    expect(check(`mutex.acquire();`)).toBe(false);
    expect(check(`mutex.acquire();`, { libraries: { 'async-mutex': { names: ['mutex'] } } })).toBe(true);
    expect(check(`import { Mutex } from 'async-mutex';`, { libraries: { 'async-mutex': false } })).toBe(false);
    expect(check(`x.locks.restoreLock('a', owner);`)).toBe(true);
  });

  it('with type information, keeps any code that calls a lock or manager method, however the value arrived', () => {
    expect(check(`lockFromSomewhere.release();`, {}, true)).toBe(true);
    expect(check(`someManager.lock('a');`, {}, true)).toBe(true);
    expect(check(`mutex.runExclusive(() => work());`, {}, true)).toBe(true);
    expect(check(`const x = new Map(); x.set('a', 1);`, {}, true)).toBe(false);
  });
});

describe('mayNameAny (the first look)', () => {
  const look = (code: string, locksmith?: Record<string, unknown>, typed = false) =>
    mayNameAny(code, tokensOf(code), matcherOf(locksmith === undefined ? {} : { locksmith }, typed));

  it('keeps every file of the fixtures and of the project whose tokens name a lock', () => {
    const paths = ['fixtures', 'src', 'rules', 'test', 'bench'].flatMap((dir) => files(join(root, dir)));
    let kept = 0;
    for (const path of paths) {
      const code = readFileSync(path, 'utf8');
      const tokens = tsParser.parseForESLint(code, { range: true, loc: true, tokens: true, comment: true, jsx: path.endsWith('x') }).ast.tokens;
      for (const typed of [false, true]) {
        const verdict = prefilterVerdict(code, tokens, lockVocabulary(readSettings({})), typed);
        if (verdict === 'none') continue;
        kept += 1;
        expect([path, typed, mayNameAny(code, tokens, matcherOf({}, typed))]).toEqual([path, typed, true]);
      }
    }
    expect(kept).toBeGreaterThan(100);
  });

  it('rules out a lock-free file whatever its backslashes, when none can spell a name in a token that can be one', () => {
    expect(look(`const re = /\\d+\\s\\w/g; const s = '\\n\\t\\'\\\\'; // \\u0063ache\nexport { re, s };`)).toBe(false);
    expect(look(`const x = 1; /* \\x6c */ const y = \`a\\nb\`;`)).toBe(false);
    expect(look(`const blocks = clock.unlock(); const index = text.next; const graph = 'morphology';`)).toBe(false);
  });

  it('reads what an escape stands for off the text: one that spells no name character is passed over', () => {
    for (const escape of ['\\x1B[0m', '\\x41', '\\u2028', '\\u{1b}', '\\0', '\\0a', '\\uFEFF', '\\xA0']) {
      expect([escape, look(`const s = '${escape}'; const t = \`${escape}\`;`)]).toEqual([escape, false]);
    }
  });

  it('looks closer at an escape that may spell a name character in a string, template or identifier', () => {
    expect(look(`const s = '\\x6c';`)).toBe(true);
    expect(look(`const s = \`\\u0063\`;`)).toBe(true);
    expect(look(`const s = '\\u{6C}';`)).toBe(true);
    expect(look(`const s = '\\u{00000006c}';`)).toBe(true);
    expect(look(`const \\u0061 = 1;`)).toBe(true);
    expect(look(`const s = '\\l';`)).toBe(true);
    expect(look(`const s = 'a\\\nb';`)).toBe(true);
    // \d in a string cooks to `d`, a character of `redis-semaphore`.
    expect(look(`const s = '\\d';`)).toBe(true);
    // What it stands for is not read off the text: an octal escape, a code point beyond U+FFFF, a malformed one.
    expect(look('tag`\\101`;')).toBe(true);
    expect(look(`const s = '\\u{1F600}';`)).toBe(true);
    expect(look('tag`\\x6`;')).toBe(true);
  });

  it('looks closer at every name of the vocabulary as a whole word, and at nothing else', () => {
    for (const name of ['lock', 'restoreLock', 'redlock', 'locksmith-js', '@sesamecare-oss/redlock', 'redis-semaphore', 'async-mutex']) {
      expect([name, look(`x('${name}');`)]).toEqual([name, true]);
      expect([name, look(`x('${name}s');`)]).toEqual([name, false]);
      // (`un@sesamecare-oss/redlock` ends with `redlock` as a whole word: looked at closer, rightly.)
      if (!name.startsWith('@')) expect([name, look(`y('un${name}');`)]).toEqual([name, false]);
    }
    // A factory name alone is never enough: the verdict searches it only next to a creating method.
    expect(look(`cache.get(1); Cache.x = locks;`)).toBe(false);
    expect(look(`store.lock(1);`, { lockFactories: ['store'] })).toBe(true);
    expect(look(`mutex.acquire();`, { libraries: { 'async-mutex': { names: ['mutex'] } } })).toBe(true);
    expect(look(`mutex.acquire();`)).toBe(false);
    expect(look(`x.y.lock(1);`, { lockFactories: [''] })).toBe(true);
  });

  it('with type information, looks closer at every lock or manager method', () => {
    expect(look(`lockFromSomewhere.release();`, undefined, true)).toBe(true);
    expect(look(`lockFromSomewhere.release();`)).toBe(false);
    expect(look(`const x = new Map(); x.set('a', 1);`, undefined, true)).toBe(false);
  });
});

describe('cook', () => {
  it('reads escape sequences as the parser does', () => {
    expect(cook('\\u0063ache')).toBe('cache');
    expect(cook('lo\\u{63}k')).toBe('lock');
    expect(cook('locksmith\\x2djs')).toBe('locksmith-js');
    expect(cook('locksmith\\055js')).toBe('locksmith-js');
    expect(cook('locksmith\\\n-js')).toBe('locksmith-js');
    expect(cook('locksmith\\\r\n-js')).toBe('locksmith-js');
    expect(cook('a\\-b\\n\\\\')).toBe('a-b\n\\');
    expect(cook('\\0')).toBe('\0');
  });
});
