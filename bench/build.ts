/**
 * The benchmark measures locksmith as users run it: the compiled `dist/` (`npm run build`), not the TypeScript
 * sources through tsx, whose transform names every function at run time (esbuild `keepNames`): measured here,
 * that adds ~2.3 KiB of heap per blocked waiter and a few per cent of CPU. This rebuilds `dist/` when a
 * source file is newer than it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
/** The compiled entry point of the runtime. */
export const DIST_ENTRY = join(root, 'dist', 'index.mjs');
/** The compiled entry point of the ESLint plugin. */
export const DIST_PLUGIN_ENTRY = join(root, 'dist', 'eslint-plugin.mjs');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    newest = Math.max(newest, mtime);
  }
  return newest;
}

/**
 * Builds the package (`npm run build`) if `entry` is missing or older than its sources (`src/` for the runtime;
 * `rules/` and `src/` for the plugin). Returns what it did.
 */
export function ensureBuilt(entry: string = DIST_ENTRY, sources: readonly string[] = ['src']): 'up to date' | 'built' {
  const newestSource = Math.max(...sources.map((dir) => newestMtime(join(root, dir))));
  if (existsSync(entry) && statSync(entry).mtimeMs >= newestSource) return 'up to date';
  const result = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  if (result.status === 0 && existsSync(entry)) return 'built';
  throw new Error(`npm run build failed (exit code ${result.status})`);
}
