import type { TSESTree } from '@typescript-eslint/utils';
import { getLockAnalysis } from './analysis/index.js';
import { getLockNameShape, type LockNameShape, splitNameSegments } from './analysis/static-values.js';
import { createRule } from './utils.js';

export type Options = [
  {
    minSegments?: number;
    segmentPattern?: string;
    allowedActions?: string[];
    pattern?: string;
  },
];
export type MessageIds = 'tooFewSegments' | 'emptySegment' | 'badSegment' | 'actionNotAllowed' | 'patternMismatch';

/**
 * Lower-case kebab or snake case: `process`, `api-call`, `label_generate`, `v2`; also inside a Redis Cluster hash
 * tag (`{sync}`), which keeps related keys in one slot.
 */
export const DEFAULT_SEGMENT_PATTERN = '^(?:[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*|\\{[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*\\})$';
const SEPARATOR = ':';
const DEFAULT_OPTIONS = { minSegments: 3, segmentPattern: DEFAULT_SEGMENT_PATTERN };

/** The expected form for a number of segments: `{action}:{entity}:{scope}`, `{action}:{entity}:{segment}:{scope}`. */
function expectedForm(minSegments: number): string {
  if (minSegments <= 1) return '{scope}';
  if (minSegments === 2) return '{action}:{scope}';
  return ['{action}', '{entity}', ...Array.from({ length: minSegments - 3 }, () => '{segment}'), '{scope}'].join(SEPARATOR);
}

/** The name as the code writes it: its text, each run-time piece as `${…}`. */
function display(shape: LockNameShape, sourceCode: { getText(node: TSESTree.Node): string }): string {
  return shape.parts
    .map((part) => (part.kind === 'text' ? part.value : `\${${sourceCode.getText(part.node)}}`))
    .join('');
}

/** The shape of a fully static name. */
function textShape(text: string): LockNameShape {
  return { parts: text ? [{ kind: 'text', value: text }] : [], prefix: text, value: text };
}

/** A regular expression from an option; an invalid one is a configuration error worth a clear message. */
function compile(source: string, option: string): RegExp {
  try {
    return new RegExp(source);
  } catch (error) {
    throw new Error(`locksmith/key-naming-convention: option ${option} is not a valid regular expression: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

export default createRule<Options, MessageIds>({
  name: 'key-naming-convention',
  meta: {
    type: 'suggestion',
    docs: {
      description: 'Enforce lock names of the form `{action}:{entity}:{scope}`',
      recommended: 'strict',
    },
    schema: [
      {
        type: 'object',
        properties: {
          minSegments: {
            type: 'integer',
            minimum: 1,
            description: 'The least number of `:`-separated segments a name has (default 3: action, entity, scope).',
          },
          segmentPattern: {
            type: 'string',
            format: 'regex',
            description: 'A regular expression every static leading segment (all but the scope) must match.',
          },
          allowedActions: {
            type: 'array',
            items: { type: 'string' },
            uniqueItems: true,
            description: 'When set, the first segment (the action) must be one of these.',
          },
          pattern: {
            type: 'string',
            format: 'regex',
            description: 'A regular expression for the whole name, replacing every other check.',
          },
        },
        additionalProperties: false,
      },
    ],
    defaultOptions: [DEFAULT_OPTIONS],
    messages: {
      tooFewSegments: 'Lock name "{{name}}" has {{count}} segment(s); expected the form `{{expected}}`, e.g. `process:package:${label}`.',
      emptySegment: 'Lock name "{{name}}" has an empty segment; expected the form `{{expected}}`.',
      badSegment: 'Segment "{{segment}}" of lock name "{{name}}" is not {{segmentRule}}; expected the form `{{expected}}`.',
      actionNotAllowed: 'Lock name "{{name}}" starts with the action "{{action}}"; expected one of: {{allowed}}.',
      patternMismatch: 'Lock name "{{name}}" does not match the naming pattern {{pattern}}.',
    },
  },
  create(context, [options]) {
    // `meta.defaultOptions` is merged under the user's options, so these are always set; the fallback is for the type.
    const minSegments = options.minSegments ?? DEFAULT_OPTIONS.minSegments;
    const segmentSource = options.segmentPattern ?? DEFAULT_OPTIONS.segmentPattern;
    const segmentPattern = compile(segmentSource, 'segmentPattern');
    const segmentRule =
      segmentSource === DEFAULT_SEGMENT_PATTERN ? 'lower-case kebab or snake case' : `matching ${String(segmentPattern)}`;
    const fullPattern = options.pattern === undefined ? undefined : compile(options.pattern, 'pattern');
    const allowedActions = options.allowedActions;
    const expected = expectedForm(minSegments);

    function check(nameNode: TSESTree.Expression): void {
      const shape = getLockNameShape(nameNode, context.sourceCode.getScope(nameNode));
      const name = display(shape, context.sourceCode);
      const report = (messageId: MessageIds, data: Record<string, string | number>) =>
        context.report({ node: nameNode, messageId, data: { name, expected, ...data } });

      if (fullPattern) {
        // An arbitrary pattern cannot be checked against a name's known prefix alone.
        if (shape.value !== undefined && !fullPattern.test(shape.value)) report('patternMismatch', { pattern: String(fullPattern) });
        return;
      }

      const complete = shape.value !== undefined;
      // Of a partly dynamic name only the segments of its static prefix are certain (the prefix's last piece
      // continues into the run-time value); a name that starts with a run-time piece has none.
      const segments = complete ? splitNameSegments(shape, SEPARATOR) : splitNameSegments(textShape(shape.prefix), SEPARATOR).slice(0, -1);

      if (complete && segments.length < minSegments) {
        report('tooFewSegments', { count: segments.length });
        return;
      }
      if (segments.some((segment) => segment.text === '')) {
        report('emptySegment', {});
        return;
      }
      // The leading segments (action, entity, …) follow the case convention; the scope is data (`1A4`) and the
      // last segment of a complete name is always scope.
      const leadingCount = Math.min(Math.max(minSegments - 1, 1), complete ? segments.length - 1 : segments.length);
      const leading = segments.slice(0, leadingCount);
      const bad = leading.find((segment) => !segmentPattern.test(segment.text));
      if (bad) {
        report('badSegment', { segment: bad.text, segmentRule });
        return;
      }
      const action = leading[0];
      if (allowedActions && action && !allowedActions.includes(action.text)) {
        report('actionNotAllowed', { action: action.text, allowed: allowedActions.join(', ') });
      }
    }

    return {
      'Program:exit'() {
        for (const creation of getLockAnalysis(context).creations) {
          for (const name of creation.names) check(name);
        }
      },
    };
  },
});
