/**
 * The lint peers check (rules/lint-peers.ts) on fake installs: temporary folders whose node_modules hold only
 * package.json files, resolved the way the plugin's own imports would be.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintPeerProblem, satisfies } from '../../rules/lint-peers.js';

let base: string;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'locksmith-peers-'));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

/** A project with these packages installed (name → package.json fields); returns a require rooted in it. */
async function install(name: string, packages: Record<string, object>) {
  const dir = join(base, name);
  await mkdir(dir, { recursive: true });
  for (const [pkg, json] of Object.entries(packages)) {
    await mkdir(join(dir, 'node_modules', pkg), { recursive: true });
    await writeFile(join(dir, 'node_modules', pkg, 'package.json'), JSON.stringify({ name: pkg, ...json }));
  }
  await writeFile(join(dir, 'index.js'), '');
  return createRequire(join(dir, 'index.js'));
}

const PARSER = { version: '8.74.0', peerDependencies: { eslint: '^9.0.0 || ^10.0.0', typescript: '>=4.8.4 <6.1.0' } };
const COMPLETE = {
  eslint: { version: '10.1.0' },
  typescript: { version: '6.0.3' },
  '@typescript-eslint/parser': PARSER,
  '@typescript-eslint/utils': { version: '8.74.0' },
};

describe('lintPeerProblem', () => {
  it('is silent when every peer is installed and supported', async () => {
    expect(lintPeerProblem(await install('complete', COMPLETE))).toBeUndefined();
  });

  it('names every missing peer in one line, with the install command', async () => {
    const none = lintPeerProblem(await install('none', {}));
    expect(none).toBe(
      'the locksmith ESLint plugin needs eslint, typescript, @typescript-eslint/parser, @typescript-eslint/utils, ' +
        'peer dependencies it does not install: npm install -D eslint typescript @typescript-eslint/parser @typescript-eslint/utils',
    );
    const { typescript: _, ...withoutTypeScript } = COMPLETE;
    const one = lintPeerProblem(await install('no-typescript', withoutTypeScript));
    expect(one).toBe(
      'the locksmith ESLint plugin needs typescript, a peer dependency it does not install: npm install -D typescript',
    );
  });

  it('refuses ESLint 8 (no flat config by default)', async () => {
    const problem = lintPeerProblem(await install('eslint-8', { ...COMPLETE, eslint: { version: '8.57.1' } }));
    expect(problem).toMatch(/^the locksmith ESLint plugin needs ESLint 9 or 10 \(flat config\), found eslint 8\.57\.1/);
    expect(problem).not.toContain('\n');
  });

  it('refuses a TypeScript outside the parser range (TypeScript 7), naming both versions', async () => {
    const problem = lintPeerProblem(await install('typescript-7', { ...COMPLETE, typescript: { version: '7.0.2' } }));
    expect(problem).toMatch(
      /^typescript 7\.0\.2 is not supported by @typescript-eslint\/parser 8\.74\.0 \(it needs typescript >=4\.8\.4 <6\.1\.0\)/,
    );
    expect(problem).not.toContain('\n');
  });

  it('does not block a set-up whose parser range it cannot read', async () => {
    const parser = { ...PARSER, peerDependencies: { typescript: '^5 || ^6 || ^7' } };
    const require = await install('odd-range', { ...COMPLETE, typescript: { version: '7.0.2' }, '@typescript-eslint/parser': parser });
    expect(lintPeerProblem(require)).toBeUndefined();
  });
});

describe('satisfies', () => {
  it('reads space-separated comparators, prereleases by their version core', () => {
    expect(satisfies('6.0.3', '>=4.8.4 <6.1.0')).toBe(true);
    expect(satisfies('4.8.4', '>=4.8.4 <6.1.0')).toBe(true);
    expect(satisfies('4.8.3', '>=4.8.4 <6.1.0')).toBe(false);
    expect(satisfies('6.1.0', '>=4.8.4 <6.1.0')).toBe(false);
    expect(satisfies('7.1.0-dev.20261009', '>=4.8.4 <6.1.0')).toBe(false);
    expect(satisfies('5.0.0', '>4.9.9 <=5.0.0')).toBe(true);
    expect(satisfies('6.0.0', '^6.0.0')).toBeUndefined();
    expect(satisfies('6.0.0', '>=5 || <4')).toBeUndefined();
  });
});
