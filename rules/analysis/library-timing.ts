/**
 * TTL and wait of a library acquisition, statically, in milliseconds: what the TTL-vs-wait rule compares.
 *
 * - redlock `acquire(resources, ttl, settings?)`: TTL = `ttl`; wait = `retryCount * (retryDelay + retryJitter)`,
 *   each from the per-call settings, else the instance's (`new Redlock(clients, settings)`, followed through the
 *   file, or with types into the module that declares it), else redlock's defaults (10, 200, 100). `retryCount: -1`
 *   waits without end. `using()` extends its lock automatically, so it has no TTL-vs-wait.
 * - redis-semaphore `new Mutex(client, key, options?)`: TTL = `lockTimeout`, wait = `acquireTimeout` (defaults
 *   10000 / 10000); auto-refresh keeps the lock alive unless `refreshInterval: 0`; `acquireAttemptsLimit` ends
 *   the wait early, so the wait is unknown with it.
 */
import { createRequire } from 'node:module';
import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import type * as ts from 'typescript';
import { keyName, propertyName, skipTypeWrappers } from './ast.js';
import { REDIS_SEMAPHORE_DEFAULTS, REDLOCK_DEFAULTS } from './libraries.js';
import { getStaticNumber } from './static-values.js';
import type { TypeOracle } from './types-oracle.js';
import type { LockCreation, Timing } from './types.js';

/** Static numeric properties of an options object; `undefined` when it is not a plain object literal. */
type StaticOptions = ReadonlyMap<string, number | undefined>;

type ScopeOf = (node: TSESTree.Node) => TSESLint.Scope.Scope;

/** Reads a plain object literal's properties (`undefined` value: present but not static). */
export function readOptions(node: TSESTree.Node | undefined, scopeOf: ScopeOf): StaticOptions | undefined {
  if (!node) return new Map();
  const object = skipTypeWrappers(node);
  if (object.type !== AST_NODE_TYPES.ObjectExpression) return undefined;
  const result = new Map<string, number | undefined>();
  for (const property of object.properties) {
    if (property.type !== AST_NODE_TYPES.Property) return undefined;
    const key = keyName(property.key, property.computed);
    if (key === undefined) return undefined;
    result.set(key, getStaticNumber(property.value as TSESTree.Expression, scopeOf(property.value)));
  }
  return result;
}

/**
 * The timing of a redlock `acquire()` creation. `instance` are the manager's settings (`undefined`: unknown,
 * e.g. a manager from a name in the settings).
 */
export function redlockTiming(
  creation: LockCreation,
  instance: StaticOptions | undefined,
  scopeOf: ScopeOf,
): Timing | undefined {
  if (creation.kind !== 'acquire' || !creation.ttl || isUsing(creation)) return undefined;
  const ttl = getStaticNumber(creation.ttl, scopeOf(creation.ttl));
  const perCall = readOptions(creation.options, scopeOf);
  if (ttl === undefined || ttl <= 0 || !perCall) return undefined;
  const setting = (key: keyof typeof REDLOCK_DEFAULTS): number | undefined => {
    if (perCall.has(key)) return perCall.get(key);
    if (!instance) return undefined;
    return instance.has(key) ? instance.get(key) : REDLOCK_DEFAULTS[key];
  };
  const retryCount = setting('retryCount');
  if (retryCount === -1) return { ttl, wait: Number.POSITIVE_INFINITY, waitSource: 'retryCount: -1' };
  const retryDelay = setting('retryDelay');
  const retryJitter = setting('retryJitter');
  if (retryCount === undefined || retryDelay === undefined || retryJitter === undefined || retryCount < 0) return undefined;
  return {
    ttl,
    wait: retryCount * (retryDelay + retryJitter),
    waitSource: `retryCount ${retryCount} × (retryDelay ${retryDelay} + retryJitter ${retryJitter})`,
  };
}

/** redlock's `using()`: it extends its lock while the routine runs, so its TTL is no bet on the routine's length. */
function isUsing(creation: LockCreation): boolean {
  const callee = creation.call.callee;
  return callee.type === AST_NODE_TYPES.MemberExpression && propertyName(callee) === 'using';
}

/** The timing of a redis-semaphore constructor, when its lock does not refresh itself. */
export function redisSemaphoreTiming(creation: LockCreation, scopeOf: ScopeOf): Timing | undefined {
  if (creation.library !== 'redis-semaphore' || creation.kind !== 'new') return undefined;
  const options = readOptions(creation.options, scopeOf);
  // Refreshing (the default) keeps the lock alive for as long as it is held; an attempts limit ends the wait early.
  if (!options || options.get('refreshInterval') !== 0 || options.has('acquireAttemptsLimit')) return undefined;
  const ttl = options.has('lockTimeout') ? options.get('lockTimeout') : REDIS_SEMAPHORE_DEFAULTS.lockTimeout;
  const wait = options.has('acquireTimeout') ? options.get('acquireTimeout') : REDIS_SEMAPHORE_DEFAULTS.acquireTimeout;
  if (ttl === undefined || wait === undefined || ttl <= 0) return undefined;
  return { ttl, wait, waitSource: 'acquireTimeout' };
}

/**
 * With types: the settings a redlock instance was created with in whatever module declares it (`export const
 * redlock = new Redlock(clients, { retryCount: 3 })`), read from the TypeScript AST (numeric literals only).
 */
export function typedRedlockSettings(manager: TSESTree.Node, types: TypeOracle): StaticOptions | undefined {
  const node = types.tsNodeOf(manager);
  if (!node) return undefined;
  let ts: typeof import('typescript');
  try {
    ts = typescriptModule();
  } catch {
    return undefined;
  }
  const checker = types.program.getTypeChecker();
  const tsNode = ts.isPropertyAccessExpression(node) ? node.name : node;
  let symbol = checker.getSymbolAtLocation(tsNode);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const declaration = symbol?.valueDeclaration;
  if (!declaration) return undefined;
  let initializer: ts.Expression | undefined;
  if (ts.isVariableDeclaration(declaration) || ts.isPropertyDeclaration(declaration)) initializer = declaration.initializer;
  if (!initializer || !ts.isNewExpression(initializer)) return undefined;
  const settings = initializer.arguments?.[1];
  if (!settings) return new Map();
  if (!ts.isObjectLiteralExpression(settings)) return undefined;
  const result = new Map<string, number | undefined>();
  for (const property of settings.properties) {
    if (!ts.isPropertyAssignment(property) || !(ts.isIdentifier(property.name) || ts.isStringLiteral(property.name))) {
      return undefined;
    }
    result.set(property.name.text, tsNumber(ts, property.initializer));
  }
  return result;
}

function tsNumber(ts: typeof import('typescript'), node: ts.Expression): number | undefined {
  if (ts.isNumericLiteral(node)) return Number(node.text);
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(node.operand)) {
    return -Number(node.operand.text);
  }
  if (ts.isParenthesizedExpression(node)) return tsNumber(ts, node.expression);
  return undefined;
}

let typescript: typeof import('typescript') | undefined;
/** TypeScript itself, loaded only on the typed path (the program's own copy is what typescript-eslint uses). */
function typescriptModule(): typeof import('typescript') {
  typescript ??= createRequire(import.meta.url)('typescript') as typeof import('typescript');
  return typescript;
}
