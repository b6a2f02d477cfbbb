/**
 * The acceptance check: `locksmith lint fixtures/`, run from the repository root as a user would type it,
 * reports exactly the `recommended` findings recorded in the fixtures (caret annotations, fixtures/README.md)
 * and exits 1.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { main } from '../../bin/cli.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const LINTED = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;
const ANNOTATION = /^\s*\/\/\s*(\^+)\s+(locksmith\/[a-z-]+)(\s+\[strict\])?\s*$/;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : LINTED.test(entry.name) ? [join(dir, entry.name)] : [],
  );
}

/** `file:line:column rule` for every annotation the recommended config must report. */
function recorded(): string[] {
  return files(join(root, 'fixtures')).flatMap((file) => {
    let target = 0;
    return readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, index) => {
        const match = ANNOTATION.exec(line);
        if (!match) {
          target = index + 1;
          return [];
        }
        if (match[3]) return [];
        const column = line.indexOf(match[1]!) + 1;
        return [`${relative(root, file)}:${target}:${column} ${match[2]}`];
      });
  });
}

it('locksmith lint fixtures/ prints the recorded findings and exits 1', async () => {
  let stdout = '';
  let stderr = '';
  const code = await main(['lint', 'fixtures/', '--format', 'json'], {
    cwd: root,
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  const results = JSON.parse(stdout) as { filePath: string; messages: { ruleId: string | null; line: number; column: number; message: string }[] }[];
  const reported = results.flatMap((result) =>
    result.messages.map((message) => `${relative(root, result.filePath)}:${message.line}:${message.column} ${message.ruleId ?? message.message}`),
  );
  const expected = recorded();
  expect(expected.length).toBeGreaterThan(5);
  expect(reported.sort()).toEqual(expected.sort());
  expect(code).toBe(1);
  // The repository's own eslint.config.js lints the project, not locks: the command says it uses its own config.
  expect(stderr).toContain('does not enable the locksmith plugin');
});
