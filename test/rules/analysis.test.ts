/**
 * The analysis core on its own: what it takes for a lock, which calls are lock method calls, and where each
 * acquisition's critical section is. Every rule stands on these answers.
 */
import { fileURLToPath } from 'node:url';
import { Linter } from 'eslint';
import type { ESLint } from 'eslint';
import * as tsParser from '@typescript-eslint/parser';
import { ESLintUtils } from '@typescript-eslint/utils';
import { describe, expect, it } from 'vitest';
import { getLockAnalysis, type LockAnalysis } from '../../rules/analysis/index.js';
import { code } from './support/rule-tester.js';

interface Summary {
  /** `line:method` of every lock method call. */
  calls: string[];
  /** `line` of every lock creation. */
  creations: number[];
  /** `line:method:kind` of every acquisition's critical section (`none` when the shape is unknown). */
  sections: string[];
  /** `line:protection` of every acquisition. */
  protections: string[];
}

function summarize(analysis: LockAnalysis): Summary {
  return {
    calls: analysis.calls.map((call) => `${call.call.loc.start.line}:${call.method}`),
    creations: analysis.creations.map((creation) => creation.call.loc.start.line),
    sections: analysis.acquisitions.map(
      (acquisition) =>
        `${acquisition.call.loc.start.line}:${acquisition.method}:${analysis.criticalSection(acquisition)?.kind ?? 'none'}`,
    ),
    protections: analysis.acquisitions.map((acquisition) => {
      const protection = analysis.protection(acquisition);
      const detail =
        protection.kind === 'unprotected' ? `:${protection.problem}` : protection.kind === 'escapes' ? `:${protection.how}` : '';
      return `${acquisition.call.loc.start.line}:${protection.kind}${detail}`;
    }),
  };
}

const typedRoot = fileURLToPath(new URL('./typed-release/', import.meta.url));

function analyze(
  source: string,
  options: { settings?: Record<string, unknown>; typed?: boolean; filename?: string } = {},
): Summary {
  let summary: Summary | undefined;
  // Not a locksmith rule (`createRule` would not run it on a file without locks): it asks the analysis of every file.
  const probe = ESLintUtils.RuleCreator.withoutDocs({
    meta: { type: 'problem', docs: { description: 'test probe' }, schema: [], messages: {} },
    defaultOptions: [],
    create(context) {
      return {
        Program() {
          summary = summarize(getLockAnalysis(context));
        },
      };
    },
  });
  const linter = new Linter({ configType: 'flat' });
  const filename = options.typed ? `${typedRoot}file.ts` : (options.filename ?? 'file.ts');
  const messages = linter.verify(
    source,
    [
      {
        files: ['**/*.{ts,tsx,js,cjs,mjs}'],
        plugins: { test: { rules: { probe } } as unknown as ESLint.Plugin },
        languageOptions: {
          parser: tsParser as Linter.Parser,
          ...(options.typed ? { parserOptions: {
                  project: './tsconfig.json',
                  tsconfigRootDir: typedRoot,
                  // With CI=true typescript-eslint infers a single run and builds the program from the files on
                  // disk, ignoring the in-memory source (RuleTester turns the inference off for the same reason).
                  disallowAutomaticSingleRunInference: true,
                },
              } : {}),
        },
        settings: options.settings ?? {},
        rules: { 'test/probe': 'error' },
      },
    ],
    { filename },
  );
  expect(messages).toEqual([]);
  if (!summary) throw new Error('the probe rule did not run');
  return summary;
}

describe('what is a lock', () => {
  it('follows createLocks() through named, aliased, namespace, default and require imports', () => {
    const summary = analyze(code`
      import { createLocks } from 'locksmith-js';
      import { createLocks as make } from 'locksmith-js';
      import * as ls from 'locksmith-js';
      import lsEq = require('locksmith-js');
      const { createLocks: required } = require('locksmith-js');
      const whole = require('locksmith-js');
      const a = createLocks(), b = make(), c = ls.createLocks(), d = lsEq.createLocks();
      const e = required(), f = whole.createLocks(), g = require('locksmith-js').createLocks();
      export async function run() {
        await a.lock('x').get(); await b.lock('x').get(); await c.lock('x').get(); await d.lock('x').get();
        await e.lock('x').get(); await f.lock('x').get(); await g.lock('x').get();
        const h = (await import('locksmith-js')).createLocks();
        await h.lock('x').block(1);
      }
    `);
    expect(summary.calls).toEqual(['10:get', '10:get', '10:get', '10:get', '11:get', '11:get', '11:get', '13:block']);
  });

  it('ignores createLocks from other modules and local functions', () => {
    const summary = analyze(code`
      import { createLocks } from 'other-locks';
      function makeLocks() { return createLocks(); }
      const m = createLocks(), n = makeLocks();
      export async function run() {
        await m.lock('x').get();
        await n.lock('x').get();
      }
    `);
    expect(summary.calls).toEqual([]);
  });

  it('follows managers in class fields, constructor assignments and typed parameter properties', () => {
    const summary = analyze(code`
      import { createLocks, type LockManager } from 'locksmith-js';
      import type * as ls from 'locksmith-js';
      class A {
        private readonly m1 = createLocks();
        private readonly m2: LockManager;
        #m3 = createLocks();
        constructor(private readonly m4: LockManager, readonly m5: ls.LockManager) {
          this.m2 = createLocks();
        }
        async run() {
          await this.m1.lock('x').get();
          await this.m2.lock('x').get();
          await this.#m3.lock('x').get();
          await this.m4.lock('x').get();
          await this.m5.lock('x').get();
        }
      }
      export { A };
    `);
    expect(summary.calls).toEqual(['11:get', '12:get', '13:get', '14:get', '15:get']);
  });

  it('takes configured factory names (identifier or last property), and only those', () => {
    const source = code`
      export async function run(deps: { locks: unknown; mutexes: unknown }) {
        await Cache.lock('x').get();
        await cache.lock('x').get();
        await deps.locks.lock('x').get();
        await mutexes.lock('x').get();
        await deps.mutexes.lock('x').get();
      }
    `;
    expect(analyze(source).calls).toEqual(['2:get', '3:get', '4:get']);
    // Configured names are added to the defaults: `cache.lock` stays checked.
    expect(analyze(source, { settings: { locksmith: { lockFactories: ['mutexes'] } } }).calls).toEqual([
      '2:get',
      '3:get',
      '4:get',
      '5:get',
      '6:get',
    ]);
    // A malformed setting falls back to the defaults instead of throwing.
    expect(analyze(source, { settings: { locksmith: { lockFactories: 'mutexes' } } }).calls).toEqual([
      '2:get',
      '3:get',
      '4:get',
    ]);
  });

  it('follows locks through variables, aliases, fields, closures and Lock annotations', () => {
    const summary = analyze(code`
      import type { Lock } from 'locksmith-js';
      class Jobs {
        #held = locks.lock('held', 30);
        private other: Lock | undefined;
        async run(param: Lock) {
          const lock = locks.lock('x', 30);
          const alias = lock;
          let later;
          later = locks.lock('y');
          await lock.get(); await alias.release(); await later.refresh(5);
          await this.#held.isLocked();
          await this.other?.isOwnedByCurrentProcess();
          await param.forceRelease();
          await locks.lock('z', 60).block(10, async ({ lock: inner }) => { await inner.refresh(); });
        }
      }
      export { Jobs };
    `);
    expect(summary.calls).toEqual([
      '10:get',
      '10:release',
      '10:refresh',
      '11:isLocked',
      '12:isOwnedByCurrentProcess',
      '13:forceRelease',
      '14:block',
      '14:refresh',
    ]);
    expect(summary.creations).toEqual([3, 6, 9, 14]);
  });

  it('does not take unrelated objects with lock-like methods for locks', () => {
    const summary = analyze(code`
      export async function run(mutex: { lock(): Promise<void> }, db: any, redis: any, key: string) {
        await mutex.lock();
        const table = db.lock('accounts');
        await table.get();
        await db.lock('t').release();
        new Map().get(key);
        await redis.get(key);
        await Cache.get(key);
        await cache.get(key);
        await locks.get(key);
        const lock = await locks.lock('x').get();
        await lock;
      }
    `);
    expect(summary.calls).toEqual(['11:get']);
  });

  it('uses type information when the program provides it, and only for locksmith types', () => {
    const source = code`
      import { createLocks } from 'locksmith-js';
      class Gate { async get() { return true; } async release() {} lock() { return this; } }
      const registry = { main: createLocks(), gate: new Gate() };
      export async function run(): Promise<void> {
        await registry.main.lock('x:y:z', 5).get();
        await registry.gate.lock().get();
      }
    `;
    expect(analyze(source).calls).toEqual([]);
    expect(analyze(source, { typed: true }).calls).toEqual(['5:get']);
  });

  it('reads plain CommonJS', () => {
    const summary = analyze(
      code`
        const { createLocks } = require('locksmith-js');
        const registry = createLocks();
        module.exports = async (id) => {
          const lock = registry.lock('a:' + id, 5);
          if (await lock.get()) { try { return 1; } finally { await lock.release(); } }
        };
      `,
      { filename: 'file.cjs' },
    );
    expect(summary.calls).toEqual(['5:get', '5:release']);
    expect(summary.protections).toEqual(['5:finally']);
  });
});

describe('critical sections and protection', () => {
  it('finds the section of each acquisition shape', () => {
    const summary = analyze(code`
      export async function run(lock: import('locksmith-js').Lock, other: import('locksmith-js').Lock) {
        await lock.get(async () => 1);
        if (await lock.get()) { await work(); }
        if (!(await lock.get())) return;
        if (!(await lock.get())) { await wait(); } else { await work(); }
        await lock.block(5);
        await lock.get();
        const ok = await lock.get();
        if (!ok) throw new Error('busy');
        while (!(await lock.get())) await wait();
        for (;;) { if (await other.get()) break; }
        if ((await lock.get()) === false) return;
        if ((await lock.get()) !== false) { await work(); }
        return lock.get();
      }
    `);
    expect(summary.sections).toEqual([
      '2:get:closure',
      '3:get:if',
      '4:get:guard',
      '5:get:else',
      '6:block:sequence',
      '7:get:sequence',
      '8:get:guard',
      '10:get:sequence',
      '11:get:sequence',
      '12:get:guard',
      '13:get:if',
      '14:get:none',
    ]);
  });

  it('judges the release structure of each acquisition', () => {
    const summary = analyze(code`
      export async function run(id: string, session: { put(v: string): void }) {
        const a = locks.lock('a');
        if (await a.get()) { try { await work(); } finally { await a.release(); } }
        const b = locks.lock('b');
        await b.block(5);
        await work();
        await b.release();
        const c = locks.lock('c');
        await c.block(5);
        try { await work(); } catch { await c.release(); }
        const d = locks.lock('d');
        await d.block(5);
        session.put(d.owner);
        const e = locks.lock('e');
        await e.block(5);
        return e;
      }
    `);
    expect(summary.protections).toEqual([
      '3:finally',
      '5:unprotected:releaseNotInFinally',
      '9:unprotected:releaseInCatchOnly',
      '12:escapes:owner',
      '15:escapes:returned',
    ]);
  });
});
