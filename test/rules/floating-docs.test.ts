/**
 * The examples of docs/rules/no-floating-lock-call.md and no-unchecked-get.md say what the rules do: every line the
 * rule reports in an "Incorrect" block carries a comment explaining the bug, and a "Correct" block (like the
 * "Why" block's setup, when it has none) is reported only where its comments say so.
 */
import { describe, expect, it } from 'vitest';
import { docExamples as examples, reportedLines } from './support/docs-examples.js';
import floating from '../../rules/no-floating-lock-call.js';
import unchecked from '../../rules/no-unchecked-get.js';

describe.each([
  ['no-floating-lock-call', floating],
  ['no-unchecked-get', unchecked],
])('docs/rules/%s.md', (id, rule) => {
  it('reports every "Incorrect" example, on commented lines only', () => {
    const blocks = examples(id, '❌ Incorrect');
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) {
      const lines = reportedLines(id, rule, block);
      expect(lines.length).toBeGreaterThan(1);
      const sourceLines = block.split('\n');
      for (const line of lines) expect(sourceLines[line - 1]).toMatch(/\/\/ /);
    }
  });

  it('reports nothing in the "Correct" examples', () => {
    const blocks = examples(id, '✅ Correct');
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) expect(reportedLines(id, rule, block)).toEqual([]);
  });
});

it('no-floating-lock-call flags each bug the "Incorrect" example comments', () => {
  const [block = ''] = examples('no-floating-lock-call', '❌ Incorrect');
  // if (lock.get()), lock.release() in finally, !lock.isLocked(), block(30, fn), const ok = lock.get(), .then(f).
  expect(reportedLines('no-floating-lock-call', floating, block)).toHaveLength(6);
});

it('no-unchecked-get flags each bug the "Incorrect" example comments', () => {
  const [block = ''] = examples('no-unchecked-get', '❌ Incorrect');
  // await lock.get(); const acquired (tested only in finally); void (await …); .then(() => …).
  expect(reportedLines('no-unchecked-get', unchecked, block)).toHaveLength(4);
});
