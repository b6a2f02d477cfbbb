/**
 * Managers: which expressions evaluate to a locksmith lock manager (`createLocks()` from `locksmith-js`
 * through variables and class fields, `settings.locksmith.lockFactories` names, annotations, types).
 */
import { AST_NODE_TYPES, TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { propertyName, thisClass, unwrap } from './ast.js';
import { annotationOf, firstInit, type ClassNode, type FileIndex, type Variable } from './file-index.js';
import type { ModuleImports } from './imports.js';
import { LOCKSMITH_MODULE } from './locksmith-module.js';
import type { TypeOracle } from './types-oracle.js';

const { DefinitionType } = TSESLint.Scope;

/** Exported type names that denote a lock manager in a type annotation. */
export const MANAGER_TYPE_NAMES: ReadonlySet<string> = new Set(['LockManager', 'Locks', 'LockFactory']);

export class Managers {
  private readonly factories: ReadonlySet<string>;
  private readonly variables = new Map<Variable, boolean>();
  private readonly fields = new Map<ClassNode, Map<string, boolean>>();

  constructor(
    private readonly index: FileIndex,
    private readonly imports: ModuleImports,
    lockFactories: readonly string[],
    private readonly types: TypeOracle | undefined,
  ) {
    this.factories = new Set(lockFactories);
  }

  /** Whether `node` evaluates to a lock manager. */
  isManager(node: TSESTree.Node): boolean {
    const expr = unwrap(node);
    switch (expr.type) {
      case AST_NODE_TYPES.Identifier: {
        if (this.factories.has(expr.name)) return true;
        const variable = this.index.variableOf(expr);
        if (variable && this.isManagerVariable(variable)) return true;
        break;
      }
      case AST_NODE_TYPES.MemberExpression: {
        const name = propertyName(expr);
        if (name !== undefined && this.factories.has(name)) return true;
        if (name !== undefined && expr.object.type === AST_NODE_TYPES.ThisExpression) {
          const classNode = thisClass(expr);
          if (classNode && this.isManagerField(classNode, name)) return true;
        }
        break;
      }
      case AST_NODE_TYPES.CallExpression:
        if (this.isCreateLocks(expr.callee)) return true;
        break;
      case AST_NODE_TYPES.AwaitExpression:
        return false;
      default:
        break;
    }
    return this.types?.isManager(expr) ?? false;
  }

  private isManagerVariable(variable: Variable): boolean {
    const known = this.variables.get(variable);
    if (known !== undefined) return known;
    this.variables.set(variable, false); // cycle guard: `let a = b; b = a;`
    let result = false;
    for (const def of variable.defs) {
      if (def.type === DefinitionType.Variable && def.node.id === def.name && def.node.init) {
        result ||= this.isManager(def.node.init);
      } else if (def.type === DefinitionType.Parameter) {
        result ||= this.isManagerAnnotation(annotationOf(def.name));
      }
    }
    for (const reference of variable.references) {
      if (!result && reference.writeExpr && reference.writeExpr !== firstInit(variable)) {
        result = this.isManager(reference.writeExpr);
      }
    }
    this.variables.set(variable, result);
    return result;
  }

  private isManagerField(classNode: ClassNode, name: string): boolean {
    let perClass = this.fields.get(classNode);
    if (!perClass) this.fields.set(classNode, (perClass = new Map()));
    const known = perClass.get(name);
    if (known !== undefined) return known;
    perClass.set(name, false);
    let result = false;
    for (const field of this.index.fieldsOf(classNode, name)) {
      if (field.type === AST_NODE_TYPES.PropertyDefinition) {
        result ||= (field.value !== null && this.isManager(field.value)) || this.isManagerAnnotation(field.typeAnnotation);
      } else {
        result ||= this.isManagerAnnotation(annotationOf(field.parameter));
      }
    }
    for (const assignment of this.index.assignmentsToThis(classNode, name)) result ||= this.isManager(assignment.right);
    perClass.set(name, result);
    return result;
  }

  private isManagerAnnotation(annotation: TSESTree.TSTypeAnnotation | undefined): boolean {
    return this.imports.annotationIs(annotation, MANAGER_TYPE_NAMES, LOCKSMITH_MODULE);
  }

  /** Whether `callee` is locksmith's `createLocks` (imported, aliased, namespaced or required). */
  private isCreateLocks(callee: TSESTree.Node): boolean {
    const expr = unwrap(callee);
    if (expr.type === AST_NODE_TYPES.Identifier) {
      const value = this.imports.valueOf(expr);
      return value?.kind === 'export' && value.module === LOCKSMITH_MODULE && value.name === 'createLocks';
    }
    if (expr.type === AST_NODE_TYPES.MemberExpression && propertyName(expr) === 'createLocks') {
      const value = this.imports.valueOfExpression(expr.object);
      return value?.kind === 'namespace' && value.module === LOCKSMITH_MODULE;
    }
    return false;
  }
}
