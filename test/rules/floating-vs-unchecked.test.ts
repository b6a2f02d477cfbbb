/**
 * no-floating-lock-call and no-unchecked-get split one family of bugs between them: a `get()` that is not awaited
 * belongs to the first, an awaited `get()` whose boolean is ignored to the second. Run together, the same `get()`
 * is never reported twice.
 */
import { Linter } from 'eslint';
import * as tsParser from '@typescript-eslint/parser';
import { describe, expect, it } from 'vitest';
import floating from '../../rules/no-floating-lock-call.js';
import unchecked from '../../rules/no-unchecked-get.js';
import { code } from './support/rule-tester.js';

const linter = new Linter({ configType: 'flat' });
const config: Linter.Config[] = [
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tsParser as unknown as Linter.Parser },
    plugins: { locksmith: { rules: { 'no-floating-lock-call': floating, 'no-unchecked-get': unchecked } } as never },
    rules: { 'locksmith/no-floating-lock-call': 'error', 'locksmith/no-unchecked-get': 'error' },
  },
];

/** `[rule, column]` of each report on the snippet's line 5 (the statement under test); reports start at the method name. */
function reports(statement: string): [string, number][] {
  const source = code`
    import { createLocks } from 'locksmith-js';
    const locks = createLocks();
    export async function run(lock = locks.lock('a:b:c', 30)) {
      const other = locks.lock('x:y:z', 30);
      ${statement}
      return other;
    }
  `;
  const messages = linter.verify(source, config, 'service.ts');
  expect(messages.filter((message) => message.line !== 5)).toEqual([]);
  return messages.map((message) => [String(message.ruleId).replace('locksmith/', ''), message.column]);
}

describe('no-floating-lock-call and no-unchecked-get together', () => {
  const cases: [statement: string, expected: [string, number][]][] = [
    ['other.get();', [['no-floating-lock-call', 9]]],
    ['await other.get();', [['no-unchecked-get', 15]]],
    ['if (other.get()) work();', [['no-floating-lock-call', 13]]],
    ['if (await other.get()) work();', []],
    ['other.get().then(() => work());', [['no-floating-lock-call', 9]]],
    ['await other.get().then(() => work());', [['no-unchecked-get', 15]]],
    ['other.get().then(() => work()).catch(report);', [['no-unchecked-get', 9]]],
    ['other.get().then((ok) => ok && work()).catch(report);', []],
    ['void other.get();', []],
    ['void (await other.get());', [['no-unchecked-get', 21]]],
    ['const ok = other.get(); if (ok) work();', [['no-floating-lock-call', 20]]],
    ['const ok = await other.get(); work();', [['no-unchecked-get', 26]]],
    ['const ok = await other.get(); if (ok) work();', []],
    ['(other.get(), work());', [['no-floating-lock-call', 10]]],
    ['(await other.get(), work());', [['no-unchecked-get', 16]]],
    ['other.get() && work();', [['no-floating-lock-call', 9]]],
    ['(await other.get()) && work();', []],
    ['await other.get(() => work());', []],
    ['other.get(() => work());', [['no-floating-lock-call', 9]]],
    ['await Promise.all([other.get(), lock.get()]);', []],
    ['Promise.all([other.get()]);', [['no-floating-lock-call', 22]]],
  ];
  for (const [statement, expected] of cases) {
    it(statement, () => {
      expect(reports(statement)).toEqual(expected);
    });
  }
});
