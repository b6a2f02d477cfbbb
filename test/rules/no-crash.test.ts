/**
 * No rule may throw on syntactically valid input: every registered rule (the strict config holds them all) runs
 * over the fixtures, the project's own source and tests, and a set of odd snippets, in TypeScript and
 * JavaScript, ESM and CommonJS. A crash would stop the whole lint run of a user's project.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Linter } from 'eslint';
import { describe, expect, it } from 'vitest';
import plugin from 'locksmith-js/eslint-plugin';

const root = fileURLToPath(new URL('../../', import.meta.url));
const LINTED = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) return [];
    const path = join(dir, entry.name);
    return entry.isDirectory() ? files(path) : LINTED.test(entry.name) ? [path] : [];
  });
}

/** Snippets chosen for the shapes a lock analysis could trip over. */
const SNIPPETS: Record<string, string> = {
  'optional-chaining.ts': `
    import { createLocks } from 'locksmith-js';
    const locks = createLocks();
    export async function f(maybe?: { lock?: (n: string) => { get(): Promise<boolean> } }) {
      await locks?.lock?.('a:b:c')?.get?.();
      await locks.lock('a:b:c', 5)?.block(1);
      await maybe?.lock?.('x').get();
      const l = locks.lock('a:b:c');
      if (await l?.get()) { try { await l!.refresh(); } finally { await l?.release(); } }
    }
  `,
  'computed-and-spread.ts': `
    const args: [string, number] = ['a:b:c', 5];
    const method = 'get' as const;
    export async function f(extra: unknown[]) {
      const lock = locks['lock'](...args);
      await lock[method]();
      await (lock as any)[\`bl\${'ock'}\`](...extra);
      await lock.block(...([1] as [number]));
      await locks.lock(...args).get(...([] as []));
      await (0, locks.lock)('a:b:c').get();
      const { lock: alias } = locks;
      await alias('x').get();
    }
  `,
  'tagged-templates.ts': `
    const tag = (s: TemplateStringsArray, ...v: unknown[]) => s.join('') + v.join('');
    export async function f(id: string) {
      const lock = locks.lock(tag\`job:run:\${id}\`, 30);
      if (!(await lock.get())) return;
      await lock.release();
      await Cache.lock(String.raw\`a:b:\${id}\`).block(1, async () => tag\`x\`);
    }
  `,
  'getters-and-classes.ts': `
    abstract class Base { abstract get lock(): { get(): Promise<boolean> }; }
    export class Svc extends Base {
      static #shared = locks.lock('shared:lock:all', 10);
      static { void Svc.#shared.get(); }
      #own = this.locks.lock('own:lock:one', 10);
      constructor(private locks: any, public lockField = locks.lock('p:q:r')) { super(); }
      get lock() { return this.#own; }
      set lock2(v: unknown) { this.#own = v as any; }
      async run() {
        if (#own in this) await this.lock.get();
        await this.lockField.block(1);
        await super.constructor.name.length;
        await Svc.#shared.release();
      }
      @decorated() async decorated() { await this.#own.get(); }
    }
    function decorated() { return (_t: unknown, _c: unknown) => undefined; }
  `,
  'using.ts': `
    export async function f() {
      await using a = locks.lock('a:b:c', 5);
      using b = { [Symbol.dispose]() {} };
      await using c = null;
      if (await a.get()) return b;
      for (await using d of [locks.lock('x:y:z')]) await d.block(1);
    }
  `,
  'control-flow.ts': `
    export async function* f(ids: string[]) {
      label: for (const id of ids) {
        const lock = locks.lock(\`a:b:\${id}\`);
        do { await sleep(1); } while (!(await lock.get()));
        if (await lock.get()) ; else continue label;
        switch (await lock.block(1)) { case true: break; default: yield lock; }
        yield lock.get();
        yield* [await lock.release()];
        const ok = await lock.get(), other = 1;
        if (!ok) { if (other) break; else continue; }
        try {} catch {} finally {}
        const x = (await lock.get()) ? 1 : 2;
        const y = await lock.get() || await lock.get();
        return x + y;
      }
      for await (const item of ids) void item;
    }
    declare function sleep(ms: number): Promise<void>;
  `,
  'assignments.ts': `
    let shared: any;
    const holder: any = {};
    export async function f() {
      [shared] = [locks.lock('a:b:c')];
      ({ lock: holder.lock } = { lock: locks.lock('a:b:c') });
      shared ??= locks.lock('a:b:c');
      shared ||= locks.lock('a:b:c');
      let l = locks.lock('a:b:c');
      l = l;
      let m: any = m;
      await shared.get();
      await holder.lock.get();
      if (await l.get()) { await m.get(); }
      l = locks.lock('d:e:f');
      await l.release();
    }
  `,
  'modules.ts': `
    import lsDefault, * as ls from 'locksmith-js';
    import type { Lock } from 'locksmith-js';
    import lsEq = require('locksmith-js');
    export * as again from 'locksmith-js';
    export { createLocks as make } from 'locksmith-js';
    const a = ls.createLocks();
    const b = (lsDefault as any).createLocks();
    const c = lsEq.createLocks();
    const d = (await import('locksmith-js')).createLocks();
    export default async function (lock: Lock, ...rest: Lock[]) {
      await a.lock('a:b:c').get();
      await b.lock('a:b:c').get();
      await c.lock('a:b:c').get();
      await d.lock('a:b:c').get();
      await rest[0]?.get();
      return import.meta.url;
    }
    declare module 'somewhere' { export const locks: unknown; }
    namespace N { export const lock = 1; }
    enum E { lock = 1 }
    export { N, E };
  `,
  'overloads-and-types.ts': `
    import type { LockManager, Lock } from 'locksmith-js';
    export function f(m: LockManager): Lock;
    export function f(m: LockManager, n?: string): Lock { return m.lock(n ?? 'a:b:c'); }
    type T = Parameters<LockManager['lock']>;
    export const g = async (m: LockManager | undefined, l: Lock | null) => {
      await m?.lock('a:b:c').get();
      if (await l?.get()) await l?.release();
      return {} as T;
    };
    export class C<L extends Lock> { constructor(readonly lock: L) {} async go() { await this.lock.get(); } }
  `,
  'component.tsx': `
    import { createLocks } from 'locksmith-js';
    const locks = createLocks();
    export function Button({ id }: { id: string }) {
      const onClick = async () => {
        const lock = locks.lock(\`click:button:\${id}\`, 5);
        if (await lock.get()) { try { await save(id); } finally { await lock.release(); } }
      };
      return <button onClick={onClick} data-lock={locks.lock('x:y:z').owner}>{id}</button>;
    }
    declare function save(id: string): Promise<void>;
  `,
  'commonjs.cjs': `
    'use strict';
    const locksmith = require('locksmith-js');
    const { createLocks: make, ...restOfIt } = require('locksmith-js');
    const locks = make();
    const other = locksmith.createLocks();
    module.exports = async function run(id) {
      const lock = locks.lock('a:b:' + id, 10);
      if (!(await lock.get())) return restOfIt;
      try { return await other.lock('x:y:z').block(1, () => id); } finally { await lock.release(); }
    };
    exports.lock = locks.lock('exported:lock:one');
    exports.lock.get().then(() => exports.lock.release());
  `,
  'script.js': `
    var locks = require('locksmith-js').createLocks();
    function legacy(cb) {
      var lock = locks.lock('legacy:job:one', 10);
      lock.get().then(function (ok) { if (ok) { cb(); lock.release(); } });
      arguments.length;
      return this;
    }
    legacy.call(null, function () {});
  `,
  'empty.ts': '',
  'only-comments.mjs': '// nothing but a comment\n/* and another */\n',
};

const linter = new Linter({ configType: 'flat' });

function lint(filename: string, code: string): Linter.LintMessage[] {
  return linter.verify(code, [plugin.configs.strict], { filename });
}

describe('no rule throws on valid input', () => {
  it('every rule is in the strict config', () => {
    const configured = Object.keys(plugin.configs.strict.rules).map((id) => id.replace(/^locksmith\//, ''));
    expect(configured.sort()).toEqual(Object.keys(plugin.rules).sort());
  });

  it.each(Object.entries(SNIPPETS))('snippet %s', (name, code) => {
    const messages = lint(join(root, 'snippets', name), code);
    expect(messages.filter((message) => message.fatal)).toEqual([]);
  });

  const corpus = ['fixtures', 'src', 'rules', 'test', 'bin', 'scripts', 'bench'].flatMap((dir) => {
    try {
      return files(join(root, dir));
    } catch {
      return [];
    }
  });

  it('the corpus covers the fixtures and the project itself', () => {
    expect(corpus.length).toBeGreaterThan(60);
  });

  it('the fixtures and the project\'s own files', () => {
    const crashes: string[] = [];
    for (const file of corpus) {
      try {
        const messages = lint(file, readFileSync(file, 'utf8'));
        const fatal = messages.filter((message) => message.fatal);
        if (fatal.length > 0) crashes.push(`${relative(root, file)}: parse error ${fatal[0]?.message}`);
      } catch (error) {
        crashes.push(`${relative(root, file)}: ${(error as Error).stack ?? String(error)}`);
      }
    }
    expect(crashes).toEqual([]);
  });
});
