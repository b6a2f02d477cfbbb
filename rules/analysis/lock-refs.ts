/**
 * Lock references: which lock an expression denotes (a chained creation, a variable, a class field, a typed
 * receiver), with one identity per variable or field so that aliases and two methods agree.
 */
import { AST_NODE_TYPES, TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { keyName, propertyName, thisClass, unwrap } from './ast.js';
import {
  annotationOf,
  firstInit,
  isDisposedVariable,
  type ClassNode,
  type FileIndex,
  type Variable,
} from './file-index.js';
import type { ModuleImports } from './imports.js';
import type { LibraryId } from './libraries.js';
import type { ActiveProfiles } from './profiles.js';
import type { TypeOracle } from './types-oracle.js';
import type { LockCreation, LockMethodCall, LockRef } from './types.js';

const { DefinitionType } = TSESLint.Scope;

/** Exported type names that denote a lock in a type annotation, per library. */
export const LOCK_TYPE_NAMES: Readonly<Record<LibraryId, ReadonlySet<string>>> = {
  locksmith: new Set(['Lock']),
  redlock: new Set(['Lock']),
  'redis-semaphore': new Set(['Mutex', 'Semaphore', 'MultiSemaphore', 'RedlockMutex', 'RedlockSemaphore', 'RedlockMultiSemaphore']),
  'async-mutex': new Set(['Mutex', 'Semaphore', 'MutexInterface', 'SemaphoreInterface']),
};
const LIBRARIES = Object.keys(LOCK_TYPE_NAMES) as LibraryId[];

/** What the lock references need from the call index (which needs them in turn). */
export interface CallLookup {
  creationOf(node: TSESTree.Node): LockCreation | undefined;
  lockCallOf(call: TSESTree.CallExpression): LockMethodCall | undefined;
}

export class LockRefs {
  private readonly variables = new Map<Variable, LockRef | null>();
  private readonly fields = new Map<ClassNode, Map<string, LockRef | null>>();
  private readonly chains = new Map<TSESTree.Node, LockRef>();
  private readonly typed = new Map<object, LockRef>();

  constructor(
    private readonly index: FileIndex,
    private readonly imports: ModuleImports,
    private readonly profiles: ActiveProfiles,
    private readonly types: TypeOracle | undefined,
    private readonly calls: CallLookup,
  ) {}

  /** The lock `node` evaluates to, if it is one. */
  lockOf(node: TSESTree.Node): LockRef | undefined {
    const expr = unwrap(node);
    let ref: LockRef | undefined;
    switch (expr.type) {
      case AST_NODE_TYPES.CallExpression:
      case AST_NODE_TYPES.NewExpression: {
        // redlock's `acquire()` resolves to the lock: only its awaited value is one.
        const creation = this.calls.creationOf(expr);
        if (creation && creation.kind !== 'acquire') ref = this.creationRef(creation);
        break;
      }
      case AST_NODE_TYPES.AwaitExpression: {
        const argument = unwrap(expr.argument);
        const creation = argument.type === AST_NODE_TYPES.CallExpression ? this.calls.creationOf(argument) : undefined;
        const callee = creation ? unwrap(creation.call.callee) : undefined;
        const method = callee?.type === AST_NODE_TYPES.MemberExpression ? propertyName(callee) : undefined;
        if (creation?.kind === 'acquire' && method === 'acquire') {
          ref = this.creationRef(creation);
        }
        break;
      }
      case AST_NODE_TYPES.Identifier: {
        const variable = this.index.variableOf(expr);
        if (variable) ref = this.lockOfVariable(variable);
        ref ??= this.namedRef(expr, expr.name);
        break;
      }
      case AST_NODE_TYPES.MemberExpression: {
        const name = propertyName(expr);
        const classNode = expr.object.type === AST_NODE_TYPES.ThisExpression ? thisClass(expr) : undefined;
        if (name !== undefined && classNode) ref = this.lockOfField(classNode, name);
        if (name !== undefined) ref ??= this.namedRef(expr, name);
        break;
      }
      default:
        break;
    }
    if (ref) return ref;
    const library = this.types?.lockLibrary(expr);
    return library ? this.typedRef(expr, library) : undefined;
  }

  /** A profile's `names` entry for a mutex or semaphore held elsewhere (`import { mutex } from './locks'`). */
  private namedRef(expr: TSESTree.Identifier | TSESTree.MemberExpression, name: string): LockRef | undefined {
    const library = this.profiles.libraryOfName(name);
    if (library !== 'redis-semaphore' && library !== 'async-mutex') return undefined;
    return this.typedRef(expr, library);
  }

  /** The reference of a creation used straight off its call (for redlock's `acquire()`, its awaited value). */
  creationRef(creation: LockCreation): LockRef {
    let ref = this.chains.get(creation.call);
    if (!ref) {
      ref = {
        id: creation.call,
        library: creation.library,
        binding: 'chain',
        creations: [creation],
        creation,
        variable: undefined,
        field: undefined,
        disposed: false,
      };
      this.chains.set(creation.call, ref);
    }
    return ref;
  }

  private typedRef(expr: TSESTree.Node, library: LibraryId): LockRef {
    const variable = expr.type === AST_NODE_TYPES.Identifier ? this.index.variableOf(expr) : undefined;
    const classNode =
      expr.type === AST_NODE_TYPES.MemberExpression && expr.object.type === AST_NODE_TYPES.ThisExpression
        ? thisClass(expr)
        : undefined;
    const fieldName = expr.type === AST_NODE_TYPES.MemberExpression ? propertyName(expr) : undefined;
    const field = classNode && fieldName !== undefined ? { classNode, name: fieldName } : undefined;
    const key: object = variable ?? (field ? fieldToken(field.classNode, field.name) : expr);
    let ref = this.typed.get(key);
    if (!ref) {
      ref = {
        id: key,
        library,
        binding: variable ? 'variable' : field ? 'field' : 'typed',
        creations: [],
        creation: undefined,
        variable,
        field,
        disposed: variable ? isDisposedVariable(variable) : false,
      };
      this.typed.set(key, ref);
    }
    return ref;
  }

  private lockOfVariable(variable: Variable): LockRef | undefined {
    const known = this.variables.get(variable);
    if (known !== undefined) return known ?? undefined;
    this.variables.set(variable, null); // cycle guard
    const creations: LockCreation[] = [];
    let alias: LockRef | undefined;
    let annotated: LibraryId | undefined;
    const consider = (value: TSESTree.Node): void => {
      const ref = this.lockOf(value);
      if (!ref) return;
      if (ref.binding === 'chain' && ref.creation) creations.push(ref.creation);
      else alias ??= ref;
    };
    for (const def of variable.defs) {
      if (def.type === DefinitionType.Variable && def.node.id === def.name && def.node.init) {
        consider(def.node.init);
      } else if (def.type === DefinitionType.Parameter) {
        annotated ??= this.lockAnnotation(annotationOf(def.name));
        const fromClosure =
          def.name.type === AST_NODE_TYPES.Identifier ? this.closureLockParameter(def.name) : undefined;
        if (fromClosure) alias ??= fromClosure;
      }
    }
    for (const reference of variable.references) {
      if (reference.writeExpr && reference.writeExpr !== firstInit(variable)) consider(reference.writeExpr);
    }
    let ref: LockRef | undefined;
    const library = creations[0]?.library ?? annotated;
    if (creations.length === 0 && alias) ref = alias;
    else if (library) {
      ref = {
        id: variable,
        library,
        binding: 'variable',
        creations,
        creation: creations[0],
        variable,
        field: undefined,
        disposed: isDisposedVariable(variable),
      };
    }
    this.variables.set(variable, ref ?? null);
    return ref;
  }

  /** `lock.block(10, async ({ lock: held }) => …)`: the closure's `lock` parameter is the same lock. */
  private closureLockParameter(name: TSESTree.Identifier): LockRef | undefined {
    const property = name.parent;
    if (property?.type !== AST_NODE_TYPES.Property || keyName(property.key, property.computed) !== 'lock') {
      return undefined;
    }
    const pattern = property.parent;
    const fn = pattern?.parent;
    if (
      pattern?.type !== AST_NODE_TYPES.ObjectPattern ||
      !fn ||
      (fn.type !== AST_NODE_TYPES.ArrowFunctionExpression && fn.type !== AST_NODE_TYPES.FunctionExpression) ||
      fn.params[0] !== pattern
    ) {
      return undefined;
    }
    const call = fn.parent;
    if (call?.type !== AST_NODE_TYPES.CallExpression) return undefined;
    const lockCall = this.calls.lockCallOf(call);
    return lockCall?.closure === fn ? lockCall.lock : undefined;
  }

  private lockOfField(classNode: ClassNode, name: string): LockRef | undefined {
    let perClass = this.fields.get(classNode);
    if (!perClass) this.fields.set(classNode, (perClass = new Map()));
    const known = perClass.get(name);
    if (known !== undefined) return known ?? undefined;
    perClass.set(name, null);
    const creations: LockCreation[] = [];
    let annotated: LibraryId | undefined;
    const consider = (value: TSESTree.Node): void => {
      const ref = this.lockOf(value);
      if (ref?.binding === 'chain' && ref.creation) creations.push(ref.creation);
      else if (ref) annotated ??= ref.library; // assigned from another lock: still a lock field
    };
    for (const field of this.index.fieldsOf(classNode, name)) {
      if (field.type === AST_NODE_TYPES.PropertyDefinition) {
        if (field.value) consider(field.value);
        annotated ??= this.lockAnnotation(field.typeAnnotation);
      } else {
        annotated ??= this.lockAnnotation(annotationOf(field.parameter));
      }
    }
    for (const assignment of this.index.assignmentsToThis(classNode, name)) consider(assignment.right);
    const library = creations[0]?.library ?? annotated;
    const ref: LockRef | undefined =
      library
        ? {
            id: fieldToken(classNode, name),
            library,
            binding: 'field',
            creations,
            creation: creations[0],
            variable: undefined,
            field: { classNode, name },
            disposed: false,
          }
        : undefined;
    perClass.set(name, ref ?? null);
    return ref;
  }

  /** The library whose lock type an annotation names, if any. */
  private lockAnnotation(annotation: TSESTree.TSTypeAnnotation | undefined): LibraryId | undefined {
    if (!annotation) return undefined;
    return LIBRARIES.find((library) =>
      this.imports.annotationIs(annotation, LOCK_TYPE_NAMES[library], this.profiles.modules(library)),
    );
  }
}

const fieldTokens = new WeakMap<ClassNode, Map<string, object>>();
/** One identity object per (class, field name), so `this.lock` in two methods is the same lock. */
function fieldToken(classNode: ClassNode, name: string): object {
  let perClass = fieldTokens.get(classNode);
  if (!perClass) fieldTokens.set(classNode, (perClass = new Map()));
  let token = perClass.get(name);
  if (!token) perClass.set(name, (token = { classNode, name }));
  return token;
}
