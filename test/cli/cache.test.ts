/**
 * `locksmith lint --cache`: ESLint's own cache. A second run reads it (a file changed behind its back, same size
 * and modification time, keeps its cached result under the metadata strategy), a file that really changed is
 * re-linted, and the results are the same as without the cache.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locksmith, type Run } from './support/run-in-process.js';

/** A job whose TTL (120 s) outlasts its wait (30 s): clean. */
const LONG_TTL = `import { createLocks } from 'locksmith-js';

const locks = createLocks();

export async function importBatch(): Promise<void> {
  await locks.lock('import:batch:all', 120).block(30, async () => {});
}
`;
/** The same bytes but for the TTL, 10 s: shorter than the wait. Same length as {@link LONG_TTL}. */
const SHORT_TTL = LONG_TTL.replace("'import:batch:all', 120)", "'import:batch:all',  10)");
const OTHER = `export async function other(): Promise<void> {
  await locks.lock('sync:report:daily', 5).block(10, async () => {});
}
`;

/** file → rule ids found, from the json report. */
function findings(run: Run): Record<string, string[]> {
  const results = JSON.parse(run.stdout) as { filePath: string; messages: { ruleId: string | null }[] }[];
  return Object.fromEntries(
    results.map((result) => [result.filePath.split(/[\\/]/).pop(), result.messages.map((m) => m.ruleId ?? 'fatal')]),
  );
}

let base: string;
/** A whole second in the past: file systems and `utimes` keep it exactly. */
const WRITTEN_AT = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);

async function project(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(base, name);
  for (const [file, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await writeFile(join(dir, file), text);
    await utimes(join(dir, file), WRITTEN_AT, WRITTEN_AT);
  }
  return dir;
}

/** Rewrites a file with text of the same length and puts its modification time back. */
async function rewriteBehindTheCachesBack(path: string, text: string): Promise<void> {
  const before = await stat(path);
  await writeFile(path, text);
  await utimes(path, WRITTEN_AT, WRITTEN_AT);
  const after = await stat(path);
  expect([after.size, after.mtimeMs]).toEqual([before.size, before.mtimeMs]);
}

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'locksmith-cli-cache-'));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('locksmith lint --cache', () => {
  it('writes .locksmithcache, reads it on the next run, and re-lints a file that changed', async () => {
    const dir = await project('metadata', { 'src/job.ts': LONG_TTL, 'src/other.ts': OTHER });
    const job = join(dir, 'src/job.ts');
    const uncached = await locksmith(['lint', 'src', '--format', 'json'], dir);
    expect(findings(uncached)).toEqual({ 'job.ts': [], 'other.ts': ['locksmith/no-ttl-shorter-than-wait'] });

    const first = await locksmith(['lint', 'src', '--cache', '--format', 'json'], dir);
    expect(existsSync(join(dir, '.locksmithcache'))).toBe(true);
    expect(findings(first)).toEqual(findings(uncached));
    expect((await locksmith(['lint', 'src', '--cache', '--format', 'json'], dir)).stdout).toBe(first.stdout);

    // Same size, same modification time: the metadata strategy trusts the cache, so the stale result shows.
    await rewriteBehindTheCachesBack(job, SHORT_TTL);
    expect(findings(await locksmith(['lint', 'src', '--cache', '--format', 'json'], dir))).toEqual(findings(first));

    // A real edit (a new modification time) is re-linted; the untouched file keeps its finding.
    await writeFile(job, SHORT_TTL);
    const later = new Date(Date.now() + 5_000);
    await utimes(job, later, later);
    const edited = await locksmith(['lint', 'src', '--cache', '--format', 'json'], dir);
    expect(edited.code).toBe(1);
    expect(findings(edited)).toEqual({
      'job.ts': ['locksmith/no-ttl-shorter-than-wait'],
      'other.ts': ['locksmith/no-ttl-shorter-than-wait'],
    });
    expect(findings(edited)).toEqual(findings(await locksmith(['lint', 'src', '--format', 'json'], dir)));
  });

  it('--cache-strategy content sees an edit that keeps size and modification time; --cache-location moves the file', async () => {
    const dir = await project('content', { 'src/job.ts': LONG_TTL });
    const args = ['lint', 'src', '--cache', '--cache-strategy', 'content', '--cache-location', 'build/lint-cache', '--format', 'json'];
    await mkdir(join(dir, 'build'));
    const first = await locksmith(args, dir);
    expect(first.code).toBe(0);
    expect(existsSync(join(dir, 'build/lint-cache'))).toBe(true);
    expect(existsSync(join(dir, '.locksmithcache'))).toBe(false);

    await rewriteBehindTheCachesBack(join(dir, 'src/job.ts'), SHORT_TTL);
    const second = await locksmith(args, dir);
    expect(second.code).toBe(1);
    expect(findings(second)).toEqual({ 'job.ts': ['locksmith/no-ttl-shorter-than-wait'] });
  });

  it('rejects a bad strategy, and the cache options without --cache (exit 2)', async () => {
    const dir = await project('usage', { 'src/job.ts': LONG_TTL });
    const bad = await locksmith(['lint', 'src', '--cache', '--cache-strategy', 'mtime'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--cache-strategy must be one of metadata, content; got "mtime"');
    const orphan = await locksmith(['lint', 'src', '--cache-location', 'x'], dir);
    expect(orphan.code).toBe(2);
    expect(orphan.stderr).toContain('--cache-location and --cache-strategy need --cache');
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });
});
