#!/usr/bin/env node
/**
 * `npm run check:pack`: the package as a user gets it. Packs it (`npm pack`, which builds), installs the
 * tarball from the registry into fresh temporary projects, and checks what the README and docs/cli.md promise:
 *   - runtime only (ES module and CommonJS): it works, and nothing of ESLint or TypeScript is installed;
 *   - the plugin with ESLint 9 and 10, from one-line ESM and CommonJS configs, finds a planted finding;
 *   - `locksmith --version`, and `locksmith lint` exit codes 0 / 1 / 2 with TypeScript 6 present, absent, and 7.
 * Not part of `npm test`: it downloads packages. Prints one line per check and exits 1 if any failed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'locksmith-pack-check-'));
let failures = 0;

function check(name, ok, detail = '') {
  if (!ok) failures++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail && !ok ? `\n     ${detail.replaceAll('\n', '\n     ')}` : ''}`);
}

function run(cwd, command, args) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

const PLANTED = `import { createLocks } from 'locksmith-js';
const locks = createLocks();
export async function importBatch(id) {
  await locks.lock(\`import:batch:\${id}\`, 5).block(30, async () => work(id));
}
async function work() {}
`;
const CLEAN = `import { createLocks } from 'locksmith-js';
const locks = createLocks();
export async function importBatch(id: string): Promise<void> {
  await locks.lock(\`import:batch:\${id}\`, 120).block(30, async () => work(id));
}
async function work(_id: string): Promise<void> {}
`;

/** A fresh project with the tarball and `extra` packages installed. */
function project(name, extra, { legacyPeerDeps = false } = {}) {
  const dir = join(work, name);
  mkdirSync(join(dir, 'src'), { recursive: true });
  mkdirSync(join(dir, 'clean'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }));
  writeFileSync(join(dir, 'src', 'import.js'), PLANTED);
  writeFileSync(join(dir, 'clean', 'import.ts'), CLEAN);
  const args = ['install', '--no-audit', '--no-fund', '--loglevel=error', tarball, ...extra];
  if (legacyPeerDeps) args.push('--legacy-peer-deps');
  execFileSync('npm', args, { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  return dir;
}

function installed(dir) {
  const { stdout } = run(dir, 'npm', ['ls', '--all', '--parseable']);
  // The first line is the project itself.
  return stdout.split('\n').filter(Boolean).slice(1).map((path) => path.slice(path.lastIndexOf('node_modules/') + 13));
}

console.log(`pack-check in ${work}`);
execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
const packed = JSON.parse(
  execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }),
);
const tarball = join(work, packed[0].filename);
const version = packed[0].version;
check(`npm pack: ${packed[0].filename}, ${packed[0].entryCount} files, ${(packed[0].size / 1024).toFixed(0)} kB`, true);

// Runtime only.
{
  const dir = project('runtime', []);
  writeFileSync(join(dir, 'esm.mjs'), `import { createLocks } from 'locksmith-js';
const lock = createLocks().lock('check:runtime:esm', 5);
console.log(await lock.get() && await lock.release() ? 'locked' : 'no');`);
  writeFileSync(join(dir, 'cjs.cjs'), `const { createLocks } = require('locksmith-js');
const lock = createLocks().lock('check:runtime:cjs', 5);
lock.get().then(async (got) => console.log(got && await lock.release() ? 'locked' : 'no'));`);
  const packages = installed(dir);
  const lintish = packages.filter((name) => /^(eslint|typescript|@typescript-eslint\/|@eslint\/|@microsoft\/)/.test(name));
  check(`runtime only: npm ls shows ${packages.length} package(s) (${packages.join(', ')}), nothing of ESLint or TypeScript`, lintish.length === 0, lintish.join(', '));
  for (const file of ['esm.mjs', 'cjs.cjs']) {
    const result = run(dir, process.execPath, [file]);
    check(`runtime only: ${file} takes and releases a lock`, result.stdout.trim() === 'locked', result.stderr);
  }
  const v = run(dir, 'npx', ['locksmith', '--version']);
  check(`runtime only: locksmith --version prints ${version}`, v.code === 0 && v.stdout.trim() === version, v.stderr);
  const lint = run(dir, 'npx', ['locksmith', 'lint', 'src']);
  check(
    'runtime only: locksmith lint exits 2 with one line naming the missing peers',
    lint.code === 2 && lint.stderr.trim().split('\n').length === 1 && lint.stderr.includes('npm install -D eslint typescript'),
    `exit ${lint.code}: ${lint.stderr}`,
  );
}

// The plugin with ESLint 9 and 10, TypeScript 6.
const PEERS = ['typescript@6', '@typescript-eslint/parser@8', '@typescript-eslint/utils@8'];
for (const eslint of ['eslint@9', 'eslint@10']) {
  const dir = project(eslint.replace('@', '-'), [eslint, ...PEERS]);
  writeFileSync(join(dir, 'eslint.config.mjs'), "import locksmith from 'locksmith-js/eslint-plugin';\nexport default [locksmith.configs.recommended];\n");
  writeFileSync(join(dir, 'eslint.config.cjs'), "module.exports = [require('locksmith-js/eslint-plugin').configs.recommended];\n");
  const { stdout: eslintVersion } = run(dir, 'npx', ['eslint', '--version']);
  for (const config of ['eslint.config.mjs', 'eslint.config.cjs']) {
    const result = run(dir, 'npx', ['eslint', '--config', config, 'src/']);
    check(
      `${eslint} (${eslintVersion.trim()}), ${config}: eslint finds the planted no-ttl-shorter-than-wait`,
      result.code === 1 && result.stdout.includes('locksmith/no-ttl-shorter-than-wait'),
      `exit ${result.code}\n${result.stdout}${result.stderr}`,
    );
  }
  rmSync(join(dir, 'eslint.config.cjs'));
  const v = run(dir, 'npx', ['locksmith', 'lint', '--version']);
  check(`${eslint}: locksmith lint --version prints ${version}`, v.code === 0 && v.stdout.trim() === version, v.stderr);
  const found = run(dir, 'npx', ['locksmith', 'lint', 'src']);
  check(`${eslint}, typescript 6: locksmith lint src exits 1 with the finding`, found.code === 1 && found.stdout.includes('no-ttl-shorter-than-wait'), `exit ${found.code}\n${found.stdout}${found.stderr}`);
  const clean = run(dir, 'npx', ['locksmith', 'lint', 'clean']);
  check(`${eslint}, typescript 6: locksmith lint clean exits 0`, clean.code === 0 && clean.stdout === '', `exit ${clean.code}\n${clean.stdout}${clean.stderr}`);
  const usage = run(dir, 'npx', ['locksmith', 'lint', 'no-such-dir']);
  check(`${eslint}: locksmith lint no-such-dir exits 2`, usage.code === 2, `exit ${usage.code}\n${usage.stderr}`);
  const sarif = run(dir, 'npx', ['locksmith', 'lint', '--format', 'sarif', 'src']);
  check(`${eslint}: --format sarif exits 1 with a SARIF 2.1.0 log`, sarif.code === 1 && JSON.parse(sarif.stdout || '{}').version === '2.1.0', sarif.stderr);
  if (eslint === 'eslint@10') {
    const packages = installed(dir).filter((name) => name === 'eslint' || name.endsWith('/eslint'));
    check(`${eslint}: one ESLint installed (no ESLint 8 through a SARIF formatter)`, packages.length === 1, packages.join(', '));
  }
}

// TypeScript absent, and TypeScript 7: a broken set-up, exit 2 in one line (plugin and CLI alike).
for (const [name, typescript] of [['typescript-absent', []], ['typescript-7', ['typescript@7']]]) {
  const dir = project(name, ['eslint@10', '@typescript-eslint/parser@8', '@typescript-eslint/utils@8', ...typescript], { legacyPeerDeps: true });
  const tsVersion = run(dir, process.execPath, ['-p', "require('typescript/package.json').version"]).stdout.trim() || 'absent';
  const lint = run(dir, 'npx', ['locksmith', 'lint', 'src']);
  const expected = typescript.length === 0 ? 'npm install -D typescript' : `typescript ${tsVersion} is not supported`;
  check(
    `typescript ${tsVersion}: locksmith lint exits 2 with one line: ${lint.stderr.trim().slice(0, 90)}…`,
    lint.code === 2 && lint.stderr.trim().split('\n').length === 1 && lint.stderr.includes(expected),
    `exit ${lint.code}\n${lint.stdout}${lint.stderr}`,
  );
  writeFileSync(join(dir, 'eslint.config.mjs'), "import locksmith from 'locksmith-js/eslint-plugin';\nexport default [locksmith.configs.recommended];\n");
  const eslint = run(dir, 'npx', ['eslint', 'src/']);
  check(`typescript ${tsVersion}: eslint with the plugin fails naming the problem`, eslint.code === 2 && eslint.stderr.includes(expected), `exit ${eslint.code}\n${eslint.stderr}`);
  const v = run(dir, 'npx', ['locksmith', 'lint', '--version']);
  check(`typescript ${tsVersion}: locksmith lint --version still prints ${version}`, v.code === 0 && v.stdout.trim() === version, v.stderr);
}

rmSync(work, { recursive: true, force: true });
console.log(failures === 0 ? 'pack-check: all checks passed' : `pack-check: ${failures} check(s) failed`);
process.exitCode = failures === 0 ? 0 : 1;
