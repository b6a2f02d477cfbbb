/**
 * Runs a TypeScript fixture in its own Node process (through tsx), for tests of what a whole process does:
 * whether it exits on its own. `code` is 'hung' if it had not exited after `hangMs`.
 */
import { spawn } from 'node:child_process';

export interface FixtureRun {
  readonly code: number | null | 'hung';
  readonly stdout: string;
  readonly stderr: string;
}

export async function runFixture(
  script: string,
  { env = {}, hangMs = 25_000 }: { env?: Record<string, string>; hangMs?: number } = {},
): Promise<FixtureRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null | 'hung'>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve('hung');
    }, hangMs);
    child.on('exit', (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode);
    });
  });
  return { code, stdout, stderr };
}
