import { Linter } from 'eslint';
import { describe, expect, it } from 'vitest';
import rule from '../../rules/key-naming-convention.js';
import { code, RuleTester, tested, commonjs, esm } from './support/rule-tester.js';
import { LIBRARY_IDIOMS } from './support/valid-corpus.js';

const ruleTester = new RuleTester();
const FORM = '{action}:{entity}:{scope}';
const bad = (name: string, segment: string, segmentRule = 'lower-case kebab or snake case') => ({ name, segment, segmentRule, expected: FORM });

ruleTester.run('key-naming-convention', tested(rule), {
  valid: [
    ...LIBRARY_IDIOMS,
    // The document's convention, each example.
    'export const f = (label: string) => Cache.lock(`process:package:${label}`, 120);',
    'export const f = (facility: string) => Cache.lock(`sync:facility:${facility}`, 60);',
    'export const f = (batchId: string) => Cache.lock(`import:batch:${batchId}`, 120);',
    'export const f = (facility: string, tag: string) => Cache.lock(`label:generate:${facility}:${tag}`, 300);',
    'export const f = (facility: string) => Cache.lock(`metrc:fetch:${facility}`, 300);',
    'export const f = (endpoint: string) => Cache.lock(`api:call:${endpoint}`, 60);',
    // The scope is data: any case, any characters.
    "locks.lock('process:package:1A4', 30);",
    "locks.lock('sync:facility:Main Street #2', 30);",
    "locks.lock('import:batch:2024-01-01T00:00:00Z', 30);",
    // Kebab, snake, digits.
    "locks.lock('api-call:third-party:x', 30);",
    "locks.lock('label_generate:package_tag:x', 30);",
    "locks.lock('v2:sync:x', 30);",
    // Redis Cluster hash tags.
    "locks.lock('{sync}:facility:x', 30);",
    'export const f = (id: string) => locks.lock(`sync:facility:{${id}}`, 30);',
    // More segments than the minimum.
    "locks.lock('label:generate:facility-1:tag-2', 30);",
    // Through a const, in a loop, as the document writes it.
    code`
      export async function generateLabels(tags: string[], facility: string): Promise<void> {
        for (const tag of tags) {
          const lockKey = \`label:generate:\${facility}:\${tag}\`;
          const lock = Cache.lock(lockKey, 300);
          if (await lock.get()) {
            try {
              await dispatch(tag);
            } finally {
              await lock.release();
            }
          }
        }
      }
    `,
    // Concatenation with a known prefix.
    "const PREFIX = 'import:batch:'; export const f = (id: string) => locks.lock(PREFIX + id, 60);",
    // A const object `as const`.
    "const KEYS = { sync: 'sync:facility' } as const; export const f = (id: string) => locks.lock(`${KEYS.sync}:${id}`);",
    // Names not known statically, whose known prefix breaks nothing.
    'export const f = (key: string) => locks.lock(key, 60);',
    'export const f = (id: string) => locks.lock(keyFor(id), 60);',
    'export const f = (ns: string, id: string) => locks.lock(`${ns}:${id}`, 60);',
    'export const f = (id: string) => locks.lock(`resource:${id}`, 120);',
    'export const f = (id: string) => locks.lock(`process:${id}`, 120);',
    'import { LOCK_PREFIX } from "./keys"; export const f = (id: string) => locks.lock(LOCK_PREFIX + id);',
    'export function f(key: string) { Cache.lock(key).forceRelease(); }',
    // restoreLock with a good name.
    'export const f = (id: string, owner: string) => locks.restoreLock(`process:package:${id}`, owner);',
    // Not lock creations.
    "Cache.get('Resource');",
    "cache.put('SomeKey', 1);",
    "mutex.lock('Resource');",
    "door.lock('front');",
    // No name argument.
    'locks.lock();',
    'export const f = (args: [string, number]) => locks.lock(...args);',
    // Options: fewer segments allowed.
    { code: "locks.lock('quick:op', 10);", options: [{ minSegments: 2 }] },
    // Options: allowed actions.
    { code: "locks.lock('sync:facility:a', 10);", options: [{ allowedActions: ['sync', 'process'] }] },
    { code: 'export const f = (a: string) => locks.lock(`${a}:facility:x`, 10);', options: [{ allowedActions: ['sync'] }] },
    // Options: a segment pattern of one's own.
    { code: "locks.lock('Process:Package:x', 10);", options: [{ segmentPattern: '^[A-Z][a-zA-Z]*$' }] },
    // Options: a full pattern replaces the other checks; dynamic names are not judged against it.
    { code: "locks.lock('app.resource', 10);", options: [{ pattern: '^app\\.[a-z]+$' }] },
    // Patterns are plain (non-unicode) regular expressions: `\-` outside a class is fine.
    { code: "locks.lock('sync-x:facility:a', 10);", options: [{ segmentPattern: '^[a-z]+(\\-[a-z]+)?$' }] },
    { code: 'export const f = (id: string) => locks.lock(`x${id}`, 10);', options: [{ pattern: '^app\\.' }] },
    // A class with the manager in a field.
    code`
      import { createLocks } from 'locksmith-js';
      export class Sync {
        private readonly locks = createLocks();
        run(facility: string) {
          return this.locks.lock(\`sync:facility:\${facility}\`, 60).block(10, () => this.sync(facility));
        }
      }
    `,
    // Nested locks with an early return.
    code`
      export async function transfer(from: string, to: string): Promise<boolean> {
        if (from === to) return false;
        return locks.lock(\`transfer:account:\${from}\`, 60).block(10, async () => {
          const inner = locks.lock(\`transfer:account:\${to}\`, 30);
          if (!(await inner.get())) return false;
          try {
            return await move(from, to);
          } finally {
            await inner.release();
          }
        });
      }
    `,
    // Plain JavaScript, ESM and CommonJS.
    { code: 'export const f = (id) => locks.lock(`import:batch:${id}`, 60);', languageOptions: esm },
    {
      code: "const { createLocks } = require('locksmith-js'); const m = createLocks(); exports.f = (id) => m.lock(`sync:facility:${id}`);",
      languageOptions: commonjs,
    },
  ],
  invalid: [
    {
      // The document's short anti-pattern names.
      code: 'const lock = Cache.lock("resource", 60);',
      errors: [
        { messageId: 'tooFewSegments', data: { name: 'resource', count: 1, expected: FORM }, line: 1, column: 25, endLine: 1, endColumn: 35 },
      ],
    },
    {
      code: 'await Cache.lock("quick:op", 10).block(5, () => quickOp());',
      errors: [
        { messageId: 'tooFewSegments', data: { name: 'quick:op', count: 2, expected: FORM }, line: 1, column: 18, endLine: 1, endColumn: 28 },
      ],
    },
    {
      code: "locks.lock('Process:package:x', 30);",
      errors: [{ messageId: 'badSegment', data: bad('Process:package:x', 'Process'), line: 1, column: 12, endLine: 1, endColumn: 31 }],
    },
    {
      code: "locks.lock('process:packageName:x', 30);",
      errors: [{ messageId: 'badSegment', data: bad('process:packageName:x', 'packageName'), line: 1, column: 12, endLine: 1, endColumn: 35 }],
    },
    {
      code: "locks.lock('sync facility:main:x', 30);",
      errors: [{ messageId: 'badSegment', data: bad('sync facility:main:x', 'sync facility'), line: 1, column: 12, endLine: 1, endColumn: 34 }],
    },
    {
      // A dynamic name whose static prefix already breaks the convention.
      code: 'export const f = (facility: string) => locks.lock(`Sync:Facility:${facility}`, 60);',
      errors: [
        { messageId: 'badSegment', data: bad('Sync:Facility:${facility}', 'Sync'), line: 1, column: 51, endLine: 1, endColumn: 78 },
      ],
    },
    {
      code: "export const f = (id: string) => locks.lock('sync:' + 'Facility:' + id, 60);",
      errors: [{ messageId: 'badSegment', data: bad('sync:Facility:${id}', 'Facility'), line: 1, column: 45, endLine: 1, endColumn: 71 }],
    },
    {
      code: "locks.lock('{Sync}:facility:x', 30);",
      errors: [{ messageId: 'badSegment', data: bad('{Sync}:facility:x', '{Sync}'), line: 1, column: 12, endLine: 1, endColumn: 31 }],
    },
    {
      code: "locks.lock('process::x', 30);",
      errors: [{ messageId: 'emptySegment', data: { name: 'process::x', expected: FORM }, line: 1, column: 12, endLine: 1, endColumn: 24 }],
    },
    {
      code: 'export const f = (id: string) => locks.lock(`:package:${id}`, 30);',
      errors: [{ messageId: 'emptySegment', line: 1, column: 45, endLine: 1, endColumn: 61 }],
    },
    {
      code: "locks.lock('process:package:', 30);",
      errors: [{ messageId: 'emptySegment', line: 1, column: 12, endLine: 1, endColumn: 30 }],
    },
    {
      // Through a const: reported at the argument, the message shows the evaluated name.
      code: code`
        const KEY = 'resource';
        export async function run() {
          await locks.lock(KEY, 60).block(5, () => work());
        }
      `,
      errors: [{ messageId: 'tooFewSegments', data: { name: 'resource', count: 1, expected: FORM }, line: 3, column: 20, endLine: 3, endColumn: 23 }],
    },
    {
      code: 'export const f = (owner: string) => locks.restoreLock("Resource", owner);',
      errors: [{ messageId: 'tooFewSegments', line: 1, column: 55, endLine: 1, endColumn: 65 }],
    },
    {
      code: "locks.lock('import:batch:1', 30);",
      options: [{ allowedActions: ['process', 'sync'] }],
      errors: [
        { messageId: 'actionNotAllowed', data: { name: 'import:batch:1', action: 'import', allowed: 'process, sync', expected: FORM }, line: 1, column: 12, endLine: 1, endColumn: 28 },
      ],
    },
    {
      code: 'export const f = (id: string) => locks.lock(`import:batch:${id}`, 30);',
      options: [{ allowedActions: ['process', 'sync'] }],
      errors: [{ messageId: 'actionNotAllowed', data: { name: 'import:batch:${id}', action: 'import', allowed: 'process, sync', expected: FORM }, line: 1, column: 45, endLine: 1, endColumn: 65 }],
    },
    {
      code: "locks.lock('sync:facility:a', 30);",
      options: [{ minSegments: 4 }],
      errors: [
        {
          messageId: 'tooFewSegments',
          data: { name: 'sync:facility:a', count: 3, expected: '{action}:{entity}:{segment}:{scope}' },
          line: 1,
          column: 12,
          endLine: 1,
          endColumn: 29,
        },
      ],
    },
    {
      code: "locks.lock('api-call:x:y', 30);",
      options: [{ segmentPattern: '^[a-z]+$' }],
      errors: [{ messageId: 'badSegment', data: bad('api-call:x:y', 'api-call', 'matching /^[a-z]+$/'), line: 1, column: 12, endLine: 1, endColumn: 26 }],
    },
    {
      code: "locks.lock('process:package:1', 30);",
      options: [{ pattern: '^app:[a-z]+:[a-z]+:.+$' }],
      errors: [{ messageId: 'patternMismatch', data: { name: 'process:package:1', pattern: '/^app:[a-z]+:[a-z]+:.+$/', expected: FORM }, line: 1, column: 12, endLine: 1, endColumn: 31 }],
    },
    {
      // In a class, through `this.locks` created with createLocks().
      code: code`
        import { createLocks } from 'locksmith-js';
        export class Jobs {
          private readonly locks = createLocks();
          async run(): Promise<void> {
            await this.locks.lock('longJob', 120).block(30, () => this.work());
          }
        }
      `,
      errors: [{ messageId: 'tooFewSegments', line: 5, column: 27, endLine: 5, endColumn: 36 }],
    },
    {
      // A manager from createLocks() through require(), in CommonJS.
      code: "const { createLocks } = require('locksmith-js'); const m = createLocks(); exports.f = () => m.lock('Job');",
      languageOptions: commonjs,
      errors: [{ messageId: 'tooFewSegments', data: { name: 'Job', count: 1, expected: FORM }, line: 1, column: 100, endLine: 1, endColumn: 105 }],
    },
    {
      code: "const lock = locks.lock('long:job', 10);",
      languageOptions: esm,
      errors: [{ messageId: 'tooFewSegments', data: { name: 'long:job', count: 2, expected: FORM }, line: 1, column: 25, endLine: 1, endColumn: 35 }],
    },
  ],
});

describe('key-naming-convention options', () => {
  it('rejects an invalid regular expression as a configuration error', () => {
    const linter = new Linter({ configType: 'flat' });
    const config = (segmentPattern: string) => [
      {
        plugins: { locksmith: { rules: { 'key-naming-convention': rule } } as never },
        rules: { 'locksmith/key-naming-convention': ['error', { segmentPattern }] as Linter.RuleEntry },
      },
    ];
    expect(() => linter.verify("locks.lock('a:b:c');", config('(unclosed'))).toThrow(/segmentPattern|format/);
    expect(linter.verify("locks.lock('a:b:c');", config('^[a-z]+$'))).toEqual([]);
  });
});
