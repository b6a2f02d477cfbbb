/**
 * The examples of docs/rules/no-ttl-shorter-than-wait.md, key-naming-convention.md, no-lock-around-read.md and
 * the pages of the six rules of issue 10 say what the rules do: in an "Incorrect" block the rule reports exactly the code lines that end in a comment
 * (the comment says why), and a "Correct" block is not reported at all.
 */
import { describe, expect, it } from 'vitest';
import { docExamples as examples, reportedLines } from './support/docs-examples.js';
import keyNaming from '../../rules/key-naming-convention.js';
import lockAroundRead from '../../rules/no-lock-around-read.js';
import ttlShorterThanWait from '../../rules/no-ttl-shorter-than-wait.js';
import noBooleanBlock from '../../rules/no-boolean-block.js';
import noCheckThenLock from '../../rules/no-check-then-lock.js';
import noForceRelease from '../../rules/no-force-release.js';
import noLockOrderInversion from '../../rules/no-lock-order-inversion.js';
import noReleaseWithoutAcquire from '../../rules/no-release-without-acquire.js';
import requireTtl from '../../rules/require-ttl.js';


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
  ['no-boolean-block', noBooleanBlock],
  ['require-ttl', requireTtl],
  ['no-release-without-acquire', noReleaseWithoutAcquire],
  ['no-check-then-lock', noCheckThenLock],
  ['no-force-release', noForceRelease],
  ['no-lock-order-inversion', noLockOrderInversion],
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
