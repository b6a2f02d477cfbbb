/**
 * The built package (`dist/`, `npm test` builds first) as Node loads it, in child processes: what `import` and
 * `require()` give for each entry, and the default store shared by both builds in one process.
 * (`npm run check:pack` goes further: it installs the packed tarball into fresh projects.)
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Runs a script with plain Node in the repository (so `locksmith-js` resolves to the package itself). */
function node(type: 'module' | 'commonjs', source: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type', type, '-e', source], { cwd: root, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout));
    });
  });
}

describe('the built package', () => {
  it('require() of the ESLint plugin gives the plugin object itself, as import does', async () => {
    const shape = `const describe = (p) => ({ keys: Object.keys(p).sort(), configs: Object.keys(p.configs).sort(),
      name: p.meta.name, rules: Object.keys(p.rules).length, self: p.configs.recommended.plugins.locksmith === p });`;
    const cjs = await node('commonjs', `${shape} console.log(JSON.stringify(describe(require('locksmith-js/eslint-plugin'))));`);
    const esm = await node(
      'module',
      `${shape} const m = await import('locksmith-js/eslint-plugin');
       console.log(JSON.stringify({ ...describe(m.default), named: Object.keys(m).filter((k) => k !== 'default') }));`,
    );
    const expected = {
      keys: ['configs', 'meta', 'rules'],
      configs: ['recommended', 'recommendedTypeChecked', 'strict', 'strictTypeChecked'],
      name: 'locksmith',
      rules: 12,
      self: true,
    };
    expect(cjs).toEqual(expected);
    expect(esm).toEqual({ ...expected, named: [] });
  });

  it('the runtime has the same public names from import and require(), and nothing else', async () => {
    const esm = await node('module', `console.log(JSON.stringify(Object.keys(await import('locksmith-js')).sort()));`);
    const cjs = await node('commonjs', `console.log(JSON.stringify(Object.keys(require('locksmith-js')).sort()));`);
    expect(esm).toEqual([
      'LOCK_ACQUIRED',
      'LOCK_LOST',
      'LOCK_RELEASED',
      'LOCK_STORE_ERROR',
      'LOCK_TIMEOUT',
      'Lock',
      'LockError',
      'LockLostError',
      'LockStoreError',
      'LockTimeoutError',
      'MemoryStore',
      'QuorumStore',
      'QuorumUnavailableError',
      'RedisStore',
      'createLocks',
      'parseDuration',
    ]);
    expect(cjs).toEqual(esm);
  });

  it('locksmith-js/otel gives the same names from import and require()', async () => {
    const esm = await node('module', `console.log(JSON.stringify(Object.keys(await import('locksmith-js/otel')).sort()));`);
    const cjs = await node('commonjs', `console.log(JSON.stringify(Object.keys(require('locksmith-js/otel')).sort()));`);
    expect(esm).toContain('instrumentLocks');
    expect(cjs).toEqual(esm);
  });

  it('the ES module and CommonJS builds in one process share the default store: their locks exclude each other', async () => {
    const result = await node(
      'module',
      `import { createRequire } from 'node:module';
       const esm = await import('locksmith-js');
       const cjs = createRequire(process.cwd() + '/')('locksmith-js');
       const a = esm.createLocks().lock('dual:package:1', 30);
       const b = cjs.createLocks().lock('dual:package:1', 30);
       const out = { distinct: esm.createLocks !== cjs.createLocks, a: await a.get(), b: await b.get() };
       await a.release();
       out.bAfterRelease = await b.get();
       console.log(JSON.stringify(out));`,
    );
    expect(result).toEqual({ distinct: true, a: true, b: false, bAfterRelease: true });
  });

  it('locksmith-js/testing exports the store suite only', async () => {
    const esm = await node('module', `console.log(JSON.stringify(Object.keys(await import('locksmith-js/testing'))));`);
    expect(esm).toEqual(['describeStoreSuite']);
  });
});
