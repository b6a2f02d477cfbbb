/**
 * Reads the examples of a rule's docs page and lints them with that rule alone, so a test can check that the
 * page says what the rule does.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tsParser from '@typescript-eslint/parser';
import { Linter } from 'eslint';
import { expect } from 'vitest';

const linter = new Linter({ configType: 'flat' });

/** The ```ts blocks under the `### <heading>` of `docs/rules/<page>.md` (up to the next heading). */
export function docExamples(page: string, heading: string): string[] {
  const text = readFileSync(fileURLToPath(new URL(`../../../docs/rules/${page}.md`, import.meta.url)), 'utf8');
  const start = text.indexOf(`### ${heading}\n`);
  expect(start, `docs/rules/${page}.md has a "### ${heading}" section`).toBeGreaterThan(-1);
  const end = text.indexOf('\n#', start + 4);
  const section = text.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
}

/** The 1-based lines that rule `id` reports in `source`; fails on parse errors and on any other rule's report. */
export function reportedLines(id: string, rule: unknown, source: string): number[] {
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
