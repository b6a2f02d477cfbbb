import * as tsParser from '@typescript-eslint/parser';
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { Linter } from 'eslint';
import { describe, expect, it } from 'vitest';
import {
  getLockNameShape,
  getStaticDurationMs,
  getStaticNumber,
  getStaticString,
  getStaticValue,
  type KnownValue,
  type LockNameShape,
  splitNameSegments,
} from '../../rules/analysis/static-values.js';

/**
 * Lints `code` with a probe rule that evaluates the first argument of every `probe(…)` call in the scope the
 * call sits in, as a rule would. Returns one result per call, in source order.
 */
function probe<T>(code: string, evaluateArgument: (node: TSESTree.Node, scope: TSESLint.Scope.Scope) => T, parser: 'ts' | 'js' = 'ts'): T[] {
  const results: T[] = [];
  const rule = {
    meta: { type: 'problem' as const, schema: [] },
    create(context: TSESLint.RuleContext<string, []>) {
      return {
        'CallExpression[callee.name="probe"]'(node: TSESTree.CallExpression) {
          const [argument] = node.arguments;
          if (!argument) throw new Error('probe() needs an argument');
          results.push(evaluateArgument(argument, context.sourceCode.getScope(argument)));
        },
      };
    },
  };
  const linter = new Linter({ configType: 'flat' });
  const messages = linter.verify(code, [
    {
      files: ['**/*.ts', '**/*.js'],
      plugins: { probe: { rules: { probe: rule as never } } },
      rules: { 'probe/probe': 'error' },
      languageOptions: parser === 'ts' ? { parser: tsParser as never, sourceType: 'module' } : { sourceType: 'module' },
    },
  ], parser === 'ts' ? 'file.ts' : 'file.js');
  const fatal = messages.filter((message) => message.fatal || message.ruleId === null);
  if (fatal.length > 0) throw new Error(fatal.map((message) => message.message).join('\n'));
  return results;
}

/** The one result of a snippet with exactly one `probe(…)` call (so "unknown" can never mean "not probed"). */
function single<T>(results: T[]): T {
  expect(results).toHaveLength(1);
  return results[0] as T;
}

function valueOf(code: string, parser: 'ts' | 'js' = 'ts'): KnownValue | undefined {
  return single(probe(code, getStaticValue, parser));
}

function durationOf(code: string): number | undefined {
  return single(probe(code, getStaticDurationMs));
}

function shapeOf(code: string): LockNameShape {
  return single(probe(code, getLockNameShape));
}

/** A readable form of a shape: text as is, each run-time piece as `{source}`. */
function render(shape: LockNameShape, code: string): string {
  return shape.parts.map((part) => (part.kind === 'text' ? part.value : `{${code.slice(part.node.range[0], part.node.range[1])}}`)).join('');
}

describe('getStaticValue', () => {
  it.each([
    ['probe(30)', 30],
    ['probe(0.25)', 0.25],
    ['probe(1_000)', 1000],
    ['probe(0x10)', 16],
    ["probe('30s')", '30s'],
    ['probe("x")', 'x'],
    ['probe(true)', true],
    ['probe(null)', null],
    ['probe(`5m`)', '5m'],
    ['probe(((30)))', 30],
    ['probe(-5)', -5],
    ['probe(+5)', 5],
    ['probe(-(-5))', 5],
    ['probe(5 * 60)', 300],
    ['probe(2 ** 3)', 8],
    ['probe(10 / 4)', 2.5],
    ['probe(10 - 4 - 1)', 5],
    ['probe(7 % 4)', 3],
    ['probe(1 + 2 * 3)', 7],
    ["probe('a' + 'b' + 1)", 'ab1'],
    ["probe(1 + 'm')", '1m'],
    ['probe(`${5}m`)', '5m'],
    ['probe(`${2 * 30}s`)', '60s'],
    ['probe(30 as number)', 30],
    ['probe(30 satisfies number)', 30],
    ['probe(<number>30)', 30],
    ["probe(('30s' as const)!)", '30s'],
    ['const TTL = 30; probe(TTL)', 30],
    ['const MINUTE = 60; const TTL = 5 * MINUTE; probe(TTL)', 300],
    ["const UNIT = 's'; probe(`30${UNIT}`)", '30s'],
    ["const TTL = '2m' as const; probe(TTL)", '2m'],
    ['const TTL = 30 as const satisfies number; probe(TTL!)', 30],
    ['export const TTL = 30; function f() { return () => probe(TTL); }', 30],
    ['const TTL = 30; class A { m() { probe(TTL); } }', 30],
    ['function f() { const TTL = 10; { const TTL = 20; probe(TTL); } }', 20],
    ['function f() { const TTL = 10; { const OTHER = 20; probe(TTL); } }', 10],
    ['const TTLS = { short: 10, long: 300 } as const; probe(TTLS.long)', 300],
    ["const TTLS = { short: 10, 'very-long': 3000 } as const; probe(TTLS['very-long'])", 3000],
    ['const CFG = { ttl: { import: 120 } } as const; probe(CFG.ttl.import * 2)', 240],
    ['probe(undefined)', undefined],
    ['enum Ttl { Short = 10, Long = 5 * 60 } probe(Ttl.Long)', 300],
    ['enum Step { A = 10, B, C } probe(Step.C)', 12],
    ['enum Step { A, B } probe(Step.B)', 1],
    ["enum Key { Sync = 'sync:facility' } probe(`${Key.Sync}:x`)", 'sync:facility:x'],
    ["const enum Ttl { 'very-long' = '2h' } probe(Ttl['very-long'])", '2h'],
    ["const UNIT = 'm'; enum Ttl { Five = `5${UNIT}` } probe(Ttl.Five)", '5m'],
  ] as const)('%s → %j', (code, expected) => {
    expect(valueOf(code)).toEqual({ value: expected });
  });

  it.each([
    'probe(ttl)',
    'let TTL = 30; probe(TTL)',
    'var TTL = 30; probe(TTL)',
    'const { TTL } = { TTL: 30 }; probe(TTL)',
    'const [TTL] = [30]; probe(TTL)',
    'declare const TTL: number; probe(TTL)',
    'function f(TTL = 30) { probe(TTL); }',
    'const TTL = getTtl(); probe(TTL)',
    'const TTL = process.env.TTL; probe(TTL)',
    'probe(Number("30"))',
    'probe(`${x}s`)',
    'probe(x * 60)',
    "probe('a' - 1)",
    'probe(true + 1)',
    'probe(1n)',
    'probe(/re/)',
    'probe(!0)',
    'probe(typeof x)',
    'probe(a ? 1 : 2)',
    'probe(a ?? 30)',
    'probe(tag`30s`)',
    'const TTLS = { short: 10 }; probe(TTLS.short)',
    'const TTLS = { short: 10, ...more } as const; probe(TTLS.short)',
    'const TTLS = { short: 10 } as const; probe(TTLS.long)',
    'const TTLS = { short: 10 } as const; probe(TTLS?.short)',
    'const TTLS = { short: 10 } as const; probe(TTLS[key])',
    'const a = b; const b = a; probe(a)',
    'const undefined = 5; probe(foo)',
    'import { TTL } from "./config"; probe(TTL)',
    'for (const TTL of [1, 2]) probe(TTL)',
    "enum Ttl { Short = 10 } enum Ttl { Long = 300 } probe(Ttl.Long)",
    "enum Step { A = 'a', B } probe(Step.B)",
    'enum Step { A = f(), B } probe(Step.B)',
    'enum Ttl { Short = 10 } probe(Ttl.Missing)',
    'enum Ttl { Short = 10 } probe(Ttl[key])',
    'namespace Ttl { export const Short = 10; } probe(Ttl.Short)',
  ])('%s is unknown', (code) => {
    expect(valueOf(code)).toBeUndefined();
  });

  it('reads a shadowing `undefined` binding as the binding', () => {
    expect(valueOf('const undefined = 5; probe(undefined)')).toEqual({ value: 5 });
  });

  it('works on plain JavaScript (espree)', () => {
    expect(valueOf('const MINUTE = 60; probe(`${5 * MINUTE}s`)', 'js')).toEqual({ value: '300s' });
    expect(valueOf('let x = 1; probe(x)', 'js')).toBeUndefined();
  });

  it('typed accessors keep to their type', () => {
    expect(probe("probe('30s'); probe(30); probe(x)", getStaticString)).toEqual(['30s', undefined, undefined]);
    expect(probe("probe('30s'); probe(30); probe(x)", getStaticNumber)).toEqual([undefined, 30, undefined]);
  });

  it('evaluates without a scope: literals only', () => {
    const results = probe('const A = 1; probe(A); probe(2 * 3)', (node) => getStaticValue(node, null));
    expect(results).toEqual([undefined, { value: 6 }]);
  });
});

describe('getStaticDurationMs (the runtime parser)', () => {
  it.each([
    ['probe(30)', 30_000],
    ['probe(0)', 0],
    ['probe(0.1)', 100],
    ["probe('250ms')", 250],
    ["probe('2m')", 120_000],
    ["probe('1.5s')", 1_500],
    ["probe('2h')", 7_200_000],
    ['probe(5 * 60)', 300_000],
    ['probe(1_000 / 4)', 250_000],
    ['const MINUTES = 5; probe(`${MINUTES}m`)', 300_000],
    ["const T = { lock: '90s' } as const; probe(T.lock)", 90_000],
  ] as const)('%s → %d ms', (code, ms) => {
    expect(durationOf(code)).toBe(ms);
  });

  it.each([
    "probe('30')",
    "probe('5d')",
    'probe(-1)',
    'probe(1 / 0)',
    'probe(null)',
    'probe(true)',
    'probe(undefined)',
    'probe(ttl)',
    "probe('')",
  ])('%s is no duration', (code) => {
    expect(durationOf(code)).toBeUndefined();
  });
});

describe('getLockNameShape', () => {
  it.each([
    ["probe('process:package:1A4')", 'process:package:1A4', 'process:package:1A4', 'process:package:1A4'],
    ['probe(`process:package:${label}`)', 'process:package:{label}', undefined, 'process:package:'],
    ['probe(`label:generate:${facility}:${tag}`)', 'label:generate:{facility}:{tag}', undefined, 'label:generate:'],
    ["const ENTITY = 'package'; probe(`process:${ENTITY}:${label}`)", 'process:package:{label}', undefined, 'process:package:'],
    ["probe('sync:facility:' + facility)", 'sync:facility:{facility}', undefined, 'sync:facility:'],
    ["probe('sync:' + 'facility:' + id + ':' + 2)", 'sync:facility:{id}:2', undefined, 'sync:facility:'],
    ['probe(`${ns}:package:${id}`)', '{ns}:package:{id}', undefined, ''],
    ['probe(key)', '{key}', undefined, ''],
    ['probe(a + b)', '{a + b}', undefined, ''],
    ['probe(makeKey(id))', '{makeKey(id)}', undefined, ''],
    ['const key = `label:generate:${facility}:${tag}`; probe(key)', 'label:generate:{facility}:{tag}', undefined, 'label:generate:'],
    ["const PREFIX = 'import:batch:'; probe(PREFIX + batchId)", 'import:batch:{batchId}', undefined, 'import:batch:'],
    ['probe(`api:call:${endpoint}` as string)', 'api:call:{endpoint}', undefined, 'api:call:'],
    ['probe(`metrc:fetch:${facility!}`)', 'metrc:fetch:{facility}', undefined, 'metrc:fetch:'],
    ['probe(`job:${5 * 2}:x`)', 'job:10:x', 'job:10:x', 'job:10:x'],
    ['probe(`${""}a:b`)', 'a:b', 'a:b', 'a:b'],
  ] as const)('%s', (code, rendered, value, prefix) => {
    const shape = shapeOf(code);
    expect(render(shape, code)).toBe(rendered);
    expect(shape.value).toBe(value);
    expect(shape.prefix).toBe(prefix);
  });

  it('splits segments, keeping run-time pieces in the segment they are written in', () => {
    const segments = splitNameSegments(shapeOf('probe(`label:generate:user-${facility}:${tag}`)'));
    expect(segments.map((segment) => [segment.text, segment.dynamic])).toEqual([
      ['label', false],
      ['generate', false],
      ['user-', true],
      ['', true],
    ]);
  });

  it('keeps empty segments so that `a::b` and a trailing `:` are visible', () => {
    expect(splitNameSegments(shapeOf("probe('a::b:')")).map((segment) => segment.text)).toEqual(['a', '', 'b', '']);
    expect(splitNameSegments(shapeOf("probe('resource')")).map((segment) => segment.text)).toEqual(['resource']);
  });

  it('splits on another separator when asked', () => {
    expect(splitNameSegments(shapeOf("probe('a.b.c')"), '.').map((segment) => segment.text)).toEqual(['a', 'b', 'c']);
  });
});
