/**
 * Static evaluation of the values lock rules care about: durations (`ttl`, `wait`) and lock names.
 *
 * Precision over reach: a value is known only when the code fixes it (literals, `const` bindings, template
 * literals, simple arithmetic). Anything that could differ at run time is unknown, and rules stay silent on
 * unknowns. Durations go through the runtime's own parser, so a rule never judges `'2m'` differently than
 * `locks.lock(name, '2m')` would.
 */
import { AST_NODE_TYPES, ASTUtils, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { tryParseDuration } from '../../src/duration.js';
import { skipTypeWrappers } from './ast.js';

type Scope = TSESLint.Scope.Scope;
type Node = TSESTree.Node;

/** The primitive values static evaluation produces. */
export type StaticPrimitive = string | number | boolean | null | undefined;

/** A statically known value; wrapped so that a known `undefined` differs from "unknown". */
export interface KnownValue {
  readonly value: StaticPrimitive;
}

/** `const` chains deeper than this are treated as unknown (also stops cycles such as `const a = b, b = a`). */
const MAX_DEPTH = 32;


/**
 * The value of an expression when the code fixes it, else `undefined`.
 *
 * @param node - the expression (an argument, an initializer, …)
 * @param scope - the scope the expression sits in (`context.sourceCode.getScope(node)`); without one, only
 *   literals and operators on literals are evaluated
 */
export function getStaticValue(node: Node | null | undefined, scope: Scope | null | undefined): KnownValue | undefined {
  if (!node) return undefined;
  return evaluate(node, scope ?? undefined, 0);
}

/** The expression's value when it is statically a string. */
export function getStaticString(node: Node | null | undefined, scope: Scope | null | undefined): string | undefined {
  const known = getStaticValue(node, scope);
  return typeof known?.value === 'string' ? known.value : undefined;
}

/** The expression's value when it is statically a number. */
export function getStaticNumber(node: Node | null | undefined, scope: Scope | null | undefined): number | undefined {
  const known = getStaticValue(node, scope);
  return typeof known?.value === 'number' ? known.value : undefined;
}

/**
 * A duration argument (`ttl`, `wait`) in milliseconds, read exactly as the runtime reads it (seconds as a
 * number, or `'250ms' | '30s' | '5m' | '2h'`); `undefined` when it is not statically known or not a valid
 * duration (the runtime would throw, which is not this evaluator's finding to make).
 */
export function getStaticDurationMs(node: Node | null | undefined, scope: Scope | null | undefined): number | undefined {
  const known = getStaticValue(node, scope);
  if (!known) return undefined;
  return tryParseDuration(known.value);
}

function evaluate(raw: Node, scope: Scope | undefined, depth: number): KnownValue | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const node = skipTypeWrappers(raw);
  switch (node.type) {
    case AST_NODE_TYPES.Literal:
      return literalValue(node);
    case AST_NODE_TYPES.TemplateLiteral: {
      let text = '';
      for (const [index, quasi] of node.quasis.entries()) {
        if (quasi.value.cooked == null) return undefined;
        text += quasi.value.cooked;
        const expression = node.expressions[index];
        if (expression) {
          const part = evaluate(expression, scope, depth + 1);
          if (!part) return undefined;
          text += String(part.value);
        }
      }
      return { value: text };
    }
    case AST_NODE_TYPES.UnaryExpression: {
      if (node.operator !== '-' && node.operator !== '+') return undefined;
      const argument = evaluate(node.argument, scope, depth + 1);
      if (typeof argument?.value !== 'number') return undefined;
      return { value: node.operator === '-' ? -argument.value : argument.value };
    }
    case AST_NODE_TYPES.BinaryExpression: {
      if (node.left.type === AST_NODE_TYPES.PrivateIdentifier) return undefined;
      const left = evaluate(node.left, scope, depth + 1);
      if (!left) return undefined;
      const right = evaluate(node.right, scope, depth + 1);
      if (!right) return undefined;
      return binary(node.operator, left.value, right.value);
    }
    case AST_NODE_TYPES.Identifier:
      return identifierValue(node, scope, depth);
    case AST_NODE_TYPES.MemberExpression: {
      const property = constObjectProperty(node, scope, depth);
      if (property) return evaluate(property.value, property.scope, depth + 1);
      return enumMemberValue(node, scope, depth);
    }
    default:
      return undefined;
  }
}

function literalValue(node: TSESTree.Literal): KnownValue | undefined {
  if ('regex' in node || 'bigint' in node) return undefined;
  const value = node.value;
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return { value };
  }
  return undefined;
}

function binary(operator: string, left: StaticPrimitive, right: StaticPrimitive): KnownValue | undefined {
  if (operator === '+') {
    if (typeof left === 'string' && (typeof right === 'string' || typeof right === 'number')) return { value: left + right };
    if (typeof left === 'number' && typeof right === 'string') return { value: left + right };
    if (typeof left === 'number' && typeof right === 'number') return { value: left + right };
    return undefined;
  }
  if (typeof left !== 'number' || typeof right !== 'number') return undefined;
  switch (operator) {
    case '-':
      return { value: left - right };
    case '*':
      return { value: left * right };
    case '/':
      return { value: left / right };
    case '%':
      return { value: left % right };
    case '**':
      return { value: left ** right };
    default:
      return undefined;
  }
}

/** The initializer of a plain `const x = …` binding, with the scope to evaluate it in. */
interface ConstInit {
  readonly init: TSESTree.Expression;
  readonly scope: Scope;
}

function constInit(identifier: TSESTree.Identifier, scope: Scope | undefined): ConstInit | undefined {
  if (!scope) return undefined;
  const variable = ASTUtils.findVariable(scope, identifier);
  if (!variable || variable.defs.length !== 1) return undefined;
  const [definition] = variable.defs;
  if (definition?.type !== 'Variable') return undefined;
  const declarator = definition.node;
  if (definition.parent.kind !== 'const') return undefined;
  // Destructuring (`const { ttl } = opts`) and `declare const x: number` have no initializer of their own.
  if (declarator.id.type !== AST_NODE_TYPES.Identifier || !declarator.init) return undefined;
  return { init: declarator.init, scope: variable.scope };
}

function identifierValue(node: TSESTree.Identifier, scope: Scope | undefined, depth: number): KnownValue | undefined {
  const variable = scope ? ASTUtils.findVariable(scope, node) : null;
  if (node.name === 'undefined' && (!variable || variable.defs.length === 0)) return { value: undefined };
  const binding = constInit(node, scope);
  return binding ? evaluate(binding.init, binding.scope, depth + 1) : undefined;
}

/** True for `x as const` (the one form that makes an object literal's properties read-only all the way down). */
function isAsConst(node: Node): boolean {
  return (
    node.type === AST_NODE_TYPES.TSAsExpression &&
    node.typeAnnotation.type === AST_NODE_TYPES.TSTypeReference &&
    node.typeAnnotation.typeName.type === AST_NODE_TYPES.Identifier &&
    node.typeAnnotation.typeName.name === 'const'
  );
}

interface ReadonlyObject {
  readonly object: TSESTree.ObjectExpression;
  readonly scope: Scope;
}

/**
 * The object literal behind `NAME` or `NAME.a.b` when it is a `const … = { … } as const` (a plain object
 * literal's properties can be reassigned anywhere, so only `as const` makes them static).
 */
function readonlyObject(node: Node, scope: Scope | undefined, depth: number): ReadonlyObject | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const target = skipTypeWrappers(node);
  if (target.type === AST_NODE_TYPES.Identifier) {
    const binding = constInit(target, scope);
    if (!binding || !isAsConst(binding.init)) return undefined;
    const object = skipTypeWrappers(binding.init);
    return object.type === AST_NODE_TYPES.ObjectExpression ? { object, scope: binding.scope } : undefined;
  }
  if (target.type === AST_NODE_TYPES.MemberExpression) {
    const property = constObjectProperty(target, scope, depth + 1);
    if (!property) return undefined;
    const object = skipTypeWrappers(property.value);
    return object.type === AST_NODE_TYPES.ObjectExpression ? { object, scope: property.scope } : undefined;
  }
  return undefined;
}

function constObjectProperty(
  node: TSESTree.MemberExpression,
  scope: Scope | undefined,
  depth: number,
): { value: Node; scope: Scope } | undefined {
  if (node.optional) return undefined;
  const key = memberKey(node, scope, depth);
  if (key === undefined) return undefined;
  const owner = readonlyObject(node.object, scope, depth + 1);
  if (!owner) return undefined;
  let found: Node | undefined;
  for (const property of owner.object.properties) {
    // A spread could supply or override any key.
    if (property.type !== AST_NODE_TYPES.Property) return undefined;
    if (property.kind !== 'init' || property.method) continue;
    if (propertyKey(property, owner.scope, depth) === key) found = property.value;
  }
  return found ? { value: found, scope: owner.scope } : undefined;
}

function memberKey(node: TSESTree.MemberExpression, scope: Scope | undefined, depth: number): string | undefined {
  if (!node.computed) return node.property.type === AST_NODE_TYPES.Identifier ? node.property.name : undefined;
  const known = evaluate(node.property, scope, depth + 1);
  return typeof known?.value === 'string' || typeof known?.value === 'number' ? String(known.value) : undefined;
}

function propertyKey(property: TSESTree.Property, scope: Scope, depth: number): string | undefined {
  if (!property.computed) {
    if (property.key.type === AST_NODE_TYPES.Identifier) return property.key.name;
    if (property.key.type === AST_NODE_TYPES.Literal) return String(property.key.value);
    return undefined;
  }
  const known = evaluate(property.key, scope, depth + 1);
  return typeof known?.value === 'string' || typeof known?.value === 'number' ? String(known.value) : undefined;
}

/**
 * `Enum.Member` of a TypeScript `enum` declared once in the file: explicit initializers, and numeric members
 * that count on from the previous one (`A = 10, B` → `B` is 11).
 */
function enumMemberValue(node: TSESTree.MemberExpression, scope: Scope | undefined, depth: number): KnownValue | undefined {
  const object = skipTypeWrappers(node.object);
  if (node.optional || !scope || object.type !== AST_NODE_TYPES.Identifier) return undefined;
  const key = memberKey(node, scope, depth);
  if (key === undefined) return undefined;
  const variable = ASTUtils.findVariable(scope, object);
  // Several definitions: a merged enum (or an enum and a namespace) whose members could come from anywhere.
  if (!variable || variable.defs.length !== 1) return undefined;
  const [definition] = variable.defs;
  if (definition?.type !== 'TSEnumName') return undefined;
  const declaration = definition.node;
  const enumScope = variable.scope.childScopes.find((child) => child.block === declaration) ?? variable.scope;
  let next: number | undefined = 0;
  for (const member of declaration.body.members) {
    let value: KnownValue | undefined;
    if (member.initializer) {
      value = evaluate(member.initializer, enumScope, depth + 1);
    } else {
      value = next === undefined ? undefined : { value: next };
    }
    next = typeof value?.value === 'number' ? value.value + 1 : undefined;
    const name = member.id.type === AST_NODE_TYPES.Identifier ? member.id.name : member.id.value;
    if (name === key) return value;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Lock names
// ---------------------------------------------------------------------------------------------------------

/** A piece of a lock name: text the code fixes, or an expression only known at run time. */
export type NamePart =
  | { readonly kind: 'text'; readonly value: string }
  | { readonly kind: 'dynamic'; readonly node: Node };

/** What is statically known about a lock name such as `` `process:package:${label}` ``. */
export interface LockNameShape {
  /** The name as text and run-time pieces, in order; adjacent text merged, never an empty text part. */
  readonly parts: readonly NamePart[];
  /** The whole name when every part is known, else `undefined`. */
  readonly value: string | undefined;
  /** The leading text before the first run-time piece (`'process:package:'`); `''` when it starts dynamic. */
  readonly prefix: string;
}

/** One `:`-separated segment of a name; `dynamic` when any run-time piece is part of it. */
export interface NameSegment {
  readonly parts: readonly NamePart[];
  /** The segment's text, run-time pieces left out (`'user-'` for `` `user-${id}` ``). */
  readonly text: string;
  readonly dynamic: boolean;
}

/**
 * The shape of a lock name: literals, `const` bindings, template literals and `+` concatenations are
 * followed, each interpolation whose value is unknown becomes a `dynamic` part.
 */
export function getLockNameShape(node: Node, scope: Scope | null | undefined): LockNameShape {
  const parts = mergeText(nameParts(node, scope ?? undefined, 0));
  const prefix = parts[0]?.kind === 'text' ? parts[0].value : '';
  const allText = parts.every((part) => part.kind === 'text');
  return { parts, prefix, value: allText ? parts.map((part) => (part.kind === 'text' ? part.value : '')).join('') : undefined };
}

function nameParts(raw: Node, scope: Scope | undefined, depth: number): NamePart[] {
  const node = skipTypeWrappers(raw);
  if (depth > MAX_DEPTH) return [{ kind: 'dynamic', node }];
  const known = evaluate(node, scope, depth);
  if (known) {
    const value = known.value;
    return typeof value === 'string' || typeof value === 'number' ? [{ kind: 'text', value: String(value) }] : [{ kind: 'dynamic', node }];
  }
  if (node.type === AST_NODE_TYPES.TemplateLiteral) {
    const parts: NamePart[] = [];
    for (const [index, quasi] of node.quasis.entries()) {
      if (quasi.value.cooked == null) return [{ kind: 'dynamic', node }];
      parts.push({ kind: 'text', value: quasi.value.cooked });
      const expression = node.expressions[index];
      if (expression) parts.push(...nameParts(expression, scope, depth + 1));
    }
    return parts;
  }
  if (node.type === AST_NODE_TYPES.BinaryExpression && node.operator === '+') {
    const left = nameParts(node.left, scope, depth + 1);
    const right = nameParts(node.right, scope, depth + 1);
    // Without text on either side, `a + b` may be arithmetic: nothing is known of it as a name.
    if (left.some(isText) || right.some(isText)) return [...left, ...right];
    return [{ kind: 'dynamic', node }];
  }
  if (node.type === AST_NODE_TYPES.Identifier) {
    const binding = constInit(node, scope);
    if (binding) {
      const parts = nameParts(binding.init, binding.scope, depth + 1);
      if (parts.some(isText)) return parts;
    }
  }
  return [{ kind: 'dynamic', node }];
}

function isText(part: NamePart): part is Extract<NamePart, { kind: 'text' }> {
  return part.kind === 'text';
}

function mergeText(parts: readonly NamePart[]): NamePart[] {
  const merged: NamePart[] = [];
  for (const part of parts) {
    if (part.kind === 'text') {
      if (part.value === '') continue;
      const last = merged.at(-1);
      if (last?.kind === 'text') {
        merged[merged.length - 1] = { kind: 'text', value: last.value + part.value };
        continue;
      }
    }
    merged.push(part);
  }
  return merged;
}

/**
 * Splits a name into its `separator`-separated segments. A run-time piece stays inside the segment it is
 * written in (`` `user-${id}` `` is one segment), and is assumed to hold no separator of its own.
 */
export function splitNameSegments(shape: LockNameShape, separator = ':'): NameSegment[] {
  const segments: NameSegment[] = [];
  let current: NamePart[] = [];
  const close = () => {
    segments.push({
      parts: current,
      text: current.map((part) => (part.kind === 'text' ? part.value : '')).join(''),
      dynamic: current.some((part) => part.kind === 'dynamic'),
    });
    current = [];
  };
  for (const part of shape.parts) {
    if (part.kind === 'dynamic') {
      current.push(part);
      continue;
    }
    const pieces = part.value.split(separator);
    for (const [index, piece] of pieces.entries()) {
      if (index > 0) close();
      if (piece !== '') current.push({ kind: 'text', value: piece });
    }
  }
  close();
  return segments;
}
