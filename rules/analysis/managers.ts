/**
 * Managers: which expressions evaluate to a lock manager, and of which library: locksmith's (`createLocks()`
 * from `locksmith-js` through variables and class fields, `settings.locksmith.lockFactories` names,
 * annotations, types) and redlock's (`new Redlock(clients, settings?)`, a profile's `names`, types).
 */
import { AST_NODE_TYPES, TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { propertyName, thisClass, unwrap } from './ast.js';
import { annotationOf, firstInit, type BindingIndex, type ClassNode, type Variable } from './file-index.js';
import type { ModuleImports } from './imports.js';
import type { LibraryId } from './libraries.js';
import type { ActiveProfiles } from './profiles.js';
import type { TypeOracle } from './types-oracle.js';

const { DefinitionType } = TSESLint.Scope;

/** Exported type names that denote a locksmith lock manager in a type annotation. */
export const MANAGER_TYPE_NAMES: ReadonlySet<string> = new Set(['LockManager', 'Locks', 'LockFactory']);
/** redlock's class, as exported by redlock v5 (default) and @sesamecare-oss/redlock (named). */
export const REDLOCK_CLASS_NAMES: ReadonlySet<string> = new Set(['default', 'Redlock']);

/** The libraries that have managers (objects whose methods make locks). */
export type ManagerLibrary = Extract<LibraryId, 'locksmith' | 'redlock'>;

/** A manager's creating expression, for reading its settings: `new Redlock(clients, settings)`. */
export interface ManagerOrigin {
  readonly library: ManagerLibrary;
  readonly creation: TSESTree.NewExpression | TSESTree.CallExpression | undefined;
}

export class Managers {
  private readonly variables = new Map<Variable, ManagerOrigin | null>();
  private readonly fields = new Map<ClassNode, Map<string, ManagerOrigin | null>>();

  constructor(
    private readonly index: BindingIndex,
    private readonly imports: ModuleImports,
    private readonly profiles: ActiveProfiles,
    private readonly types: TypeOracle | undefined,
  ) {}

  /** Whether `node` evaluates to a locksmith lock manager. */
  isManager(node: TSESTree.Node): boolean {
    return this.originOf(node)?.library === 'locksmith';
  }

  /** The library whose manager `node` evaluates to, if any. */
  libraryOf(node: TSESTree.Node): ManagerLibrary | undefined {
    return this.originOf(node)?.library;
  }

  /** What `node`'s manager is and, when this file shows it, the expression that created it. */
  originOf(node: TSESTree.Node): ManagerOrigin | undefined {
    const expr = unwrap(node);
    switch (expr.type) {
      case AST_NODE_TYPES.Identifier: {
        const named = this.byName(expr.name);
        if (named) return named;
        const variable = this.index.variableOf(expr);
        const origin = variable ? this.originOfVariable(variable) : undefined;
        if (origin) return origin;
        break;
      }
      case AST_NODE_TYPES.MemberExpression: {
        const name = propertyName(expr);
        const named = name !== undefined ? this.byName(name) : undefined;
        if (named) return named;
        if (name !== undefined && expr.object.type === AST_NODE_TYPES.ThisExpression) {
          const classNode = thisClass(expr);
          const origin = classNode ? this.originOfField(classNode, name) : undefined;
          if (origin) return origin;
        }
        break;
      }
      case AST_NODE_TYPES.CallExpression:
        if (this.isCreateLocks(expr.callee)) return { library: 'locksmith', creation: expr };
        break;
      case AST_NODE_TYPES.NewExpression:
        if (this.isRedlockClass(expr.callee)) return { library: 'redlock', creation: expr };
        break;
      case AST_NODE_TYPES.AwaitExpression:
        return undefined;
      default:
        break;
    }
    const typed = this.types?.managerLibrary(expr);
    return typed === 'locksmith' || typed === 'redlock' ? { library: typed, creation: undefined } : undefined;
  }

  private byName(name: string): ManagerOrigin | undefined {
    const library = this.profiles.libraryOfName(name);
    return library === 'locksmith' || library === 'redlock' ? { library, creation: undefined } : undefined;
  }

  private originOfVariable(variable: Variable): ManagerOrigin | undefined {
    const known = this.variables.get(variable);
    if (known !== undefined) return known ?? undefined;
    this.variables.set(variable, null); // cycle guard: `let a = b; b = a;`
    let result: ManagerOrigin | undefined;
    for (const def of variable.defs) {
      if (def.type === DefinitionType.Variable && def.node.id === def.name && def.node.init) {
        result ??= this.originOf(def.node.init);
      } else if (def.type === DefinitionType.Parameter) {
        result ??= this.annotationOrigin(annotationOf(def.name));
      }
    }
    for (const reference of variable.references) {
      if (!result && reference.writeExpr && reference.writeExpr !== firstInit(variable)) {
        result = this.originOf(reference.writeExpr);
      }
    }
    this.variables.set(variable, result ?? null);
    return result;
  }

  private originOfField(classNode: ClassNode, name: string): ManagerOrigin | undefined {
    let perClass = this.fields.get(classNode);
    if (!perClass) this.fields.set(classNode, (perClass = new Map()));
    const known = perClass.get(name);
    if (known !== undefined) return known ?? undefined;
    perClass.set(name, null);
    let result: ManagerOrigin | undefined;
    for (const field of this.index.fieldsOf(classNode, name)) {
      if (field.type === AST_NODE_TYPES.PropertyDefinition) {
        result ??= (field.value !== null ? this.originOf(field.value) : undefined) ?? this.annotationOrigin(field.typeAnnotation);
      } else {
        result ??= this.annotationOrigin(annotationOf(field.parameter));
      }
    }
    for (const assignment of this.index.assignmentsToThis(classNode, name)) result ??= this.originOf(assignment.right);
    perClass.set(name, result ?? null);
    return result;
  }

  private annotationOrigin(annotation: TSESTree.TSTypeAnnotation | undefined): ManagerOrigin | undefined {
    if (this.imports.annotationIs(annotation, MANAGER_TYPE_NAMES, this.profiles.modules('locksmith'))) {
      return { library: 'locksmith', creation: undefined };
    }
    if (this.imports.annotationIs(annotation, REDLOCK_CLASS_NAMES, this.profiles.modules('redlock'))) {
      return { library: 'redlock', creation: undefined };
    }
    return undefined;
  }

  /** Whether `callee` is locksmith's `createLocks` (imported, aliased, namespaced or required). */
  private isCreateLocks(callee: TSESTree.Node): boolean {
    const expr = unwrap(callee);
    const modules = this.profiles.modules('locksmith');
    if (expr.type === AST_NODE_TYPES.Identifier) {
      const value = this.imports.valueOf(expr);
      return value?.kind === 'export' && modules.has(value.module) && value.name === 'createLocks';
    }
    if (expr.type === AST_NODE_TYPES.MemberExpression && propertyName(expr) === 'createLocks') {
      const value = this.imports.valueOfExpression(expr.object);
      return value?.kind === 'namespace' && modules.has(value.module);
    }
    return false;
  }

  /** Whether `callee` is redlock's class (`import Redlock from 'redlock'`, `{ Redlock }` from the fork, required). */
  private isRedlockClass(callee: TSESTree.Node): boolean {
    return this.imports.isExport(this.imports.valueOfExpression(callee), REDLOCK_CLASS_NAMES, this.profiles.modules('redlock'));
  }
}
