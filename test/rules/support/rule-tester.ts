/**
 * typescript-eslint's RuleTester wired to vitest (as typescript-eslint documents it), plus a `code` tag that
 * strips the indentation of test snippets so that reported lines and columns read straight off the snippet.
 */
import { RuleTester as BaseRuleTester, type RunTests } from '@typescript-eslint/rule-tester';
import * as espree from 'espree';
import { fileURLToPath } from 'node:url';
import type { TSESLint } from '@typescript-eslint/utils';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { setFastPath } from '../../../rules/analysis/prefilter.js';

BaseRuleTester.afterAll = afterAll;
BaseRuleTester.describe = describe;
BaseRuleTester.it = it;

/**
 * The RuleTester every rule test uses. It runs each suite twice: as users get it (the analysis skips files
 * whose tokens name no lock), and with that fast path off (every file walked). Both runs assert the same exact
 * messages and suggestions, so the fast path loses no finding and invents none on any case.
 */
export class RuleTester extends BaseRuleTester {
  override run<MessageIds extends string, Options extends readonly unknown[]>(
    ruleName: string,
    rule: TestedRule<MessageIds, Options>,
    tests: RunTests<MessageIds, Options>,
  ): void {
    super.run<MessageIds, Options>(ruleName, rule, tests);
    describe(`${ruleName}, fast path off (every file walked)`, () => {
      beforeAll(() => setFastPath(false));
      afterAll(() => setFastPath(true));
      super.run<MessageIds, Options>(ruleName, rule, tests);
    });
  }
}

/**
 * A snippet of source code: the first line break and the trailing blank line are dropped, and the common
 * indentation is removed, so line 1 is the snippet's first line and column 1 its left margin.
 */
export function code(strings: TemplateStringsArray, ...values: readonly unknown[]): string {
  const text = strings.reduce((out, part, index) => out + part + (index < values.length ? String(values[index]) : ''), '');
  const lines = text.replace(/^\n/, '').replace(/\n[ \t]*$/, '').split('\n');
  const indents = lines.filter((line) => line.trim() !== '').map((line) => /^ */.exec(line)?.[0].length ?? 0);
  const indent = indents.length > 0 ? Math.min(...indents) : 0;
  return lines.map((line) => line.slice(indent)).join('\n');
}

/** A rule as `RuleTester.run` types it. */
export type TestedRule<MessageIds extends string, Options extends readonly unknown[]> = Parameters<
  typeof BaseRuleTester.prototype.run<MessageIds, Options>
>[1];

/**
 * The rule-tester release pins its own copy of `@typescript-eslint/utils`, one patch behind the plugin's, so the
 * two `RuleModule` types differ only by where they were declared. Same runtime objects: this bridges the types.
 */
export function tested<MessageIds extends string, Options extends readonly unknown[]>(
  rule: TSESLint.RuleModule<MessageIds, Options, unknown>,
): TestedRule<MessageIds, Options> {
  return rule as unknown as TestedRule<MessageIds, Options>;
}

/** Plain JavaScript through ESLint's own parser (no TypeScript involved): ES modules and CommonJS. */
export const esm = { parser: espree, ecmaVersion: 2024, sourceType: 'module' } as const;
export const commonjs = { parser: espree, ecmaVersion: 2024, sourceType: 'commonjs' } as const;

/**
 * Test-case options that give a case type information from a real tsconfig in `test/rules/<folder>/`, whose
 * `paths` map `locksmith-js` to this repository's runtime. RuleTester turns off typescript-eslint's single-run
 * inference itself, so in-memory sources are type-checked even with `CI=true`.
 */
export function typedIn(folder: string) {
  const tsconfigRootDir = fileURLToPath(new URL(`../${folder}/`, import.meta.url));
  return {
    languageOptions: { parserOptions: { project: './tsconfig.json', tsconfigRootDir } },
    filename: 'file.ts',
  } as const;
}
