import { describe, expect, it } from 'vitest';
import { cachedByIdentity } from '../../rules/analysis/identity-cache.js';

describe('cachedByIdentity', () => {
  it('computes once per object, whatever order the objects come in, and never mixes two objects up', () => {
    const made: object[] = [];
    const named = cachedByIdentity((key: { name: string }) => {
      made.push(key);
      return `value of ${key.name}`;
    });
    const a = { name: 'a' };
    const b = { name: 'b' };
    const sameContentAsA = { name: 'a' };
    expect([a, a, b, a, b, b, sameContentAsA, a].map(named)).toEqual([
      'value of a',
      'value of a',
      'value of b',
      'value of a',
      'value of b',
      'value of b',
      'value of a',
      'value of a',
    ]);
    expect(made).toEqual([a, b, sameContentAsA]);
    expect(made[2]).toBe(sameContentAsA);
  });

  it('remembers a falsy value as computed', () => {
    let calls = 0;
    const zero = cachedByIdentity(() => {
      calls += 1;
      return 0;
    });
    const key = {};
    zero(key);
    zero({});
    zero(key);
    expect(calls).toBe(2);
  });
});
