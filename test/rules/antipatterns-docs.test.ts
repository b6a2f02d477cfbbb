/**
 * The examples of docs/rules/no-ttl-shorter-than-wait.md, key-naming-convention.md and no-lock-around-read.md
 * say what the rules do: in an "Incorrect" block the rule reports exactly the code lines that end in a comment
 * (the comment says why), and a "Correct" block is not reported at all.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tsParser from '@typescript-eslint/parser';
import { Linter } from 'eslint';
import { describe, expect, it } from 'vitest';
import keyNaming from '../../rules/key-naming-convention.js';
import lockAroundRead from '../../rules/no-lock-around-read.js';
import ttlShorterThanWait from '../../rules/no-ttl-shorter-than-wait.js';

const linter = new Linter({ configType: 'flat' });

/** The ```ts blocks under a `### <heading>` of a docs page. */
function examples(page: string, heading: string): string[] {
  const text = readFileSync(fileURLToPath(new URL(`../../docs/rules/${page}.md`, import.meta.url)), 'utf8');
  const start = text.indexOf(`### ${heading}\n`);
  expect(start).toBeGreaterThan(-1);
  const end = text.indexOf('\n#', start + 4);
  const section = text.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
}

/** The 1-based lines the rule reports in `source`. */
function reportedLines(id: string, rule: unknown, source: string): number[] {
  const messages = linter.verify(
    source,
    [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tsParser as unknown as Linter.Parser },
        plugins: { locksmith: { rules: { [id]: rule } } as never },
        rules: { [`locksmith/${id}`]: 'error' },
      },
    ],
    'example.ts',
  );
  expect(messages.filter((message) => message.fatal || message.ruleId !== `locksmith/${id}`)).toEqual([]);
  return messages.map((message) => message.line);
}

/** The 1-based lines of code that end in a `//` comment. */
function commentedCodeLines(source: string): number[] {
  return source
    .split('\n')
    .flatMap((line, index) => (/\S.*\s\/\/\s/.test(line) && !/^\s*\/\//.test(line) ? [index + 1] : []));
}

describe.each([
  ['no-ttl-shorter-than-wait', ttlShorterThanWait],
  ['key-naming-convention', keyNaming],
  ['no-lock-around-read', lockAroundRead],
])('docs/rules/%s.md', (id, rule) => {
  it('reports exactly the commented lines of every "Incorrect" example', () => {
    const blocks = examples(id, 'Incorrect');
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) {
      const expected = commentedCodeLines(block);
      expect(expected.length).toBeGreaterThanOrEqual(3);
      expect(reportedLines(id, rule, block)).toEqual(expected);
    }
  });

  it('reports nothing in the "Correct" examples', () => {
    const blocks = examples(id, 'Correct');
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) expect(reportedLines(id, rule, block)).toEqual([]);
  });
});
