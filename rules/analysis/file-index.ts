/**
 * The per-file index the resolvers share: which variable each identifier denotes, every call, every
 * `this.x = …` assignment and every class field, gathered in one walk.
 */
import { AST_NODE_TYPES, TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { keyName, propertyName, thisClass, walk, type VisitorKeys } from './ast.js';

const { DefinitionType } = TSESLint.Scope;
export type Variable = TSESLint.Scope.Variable;
export type ClassNode = TSESTree.ClassDeclaration | TSESTree.ClassExpression;
type FieldDefinition = TSESTree.PropertyDefinition | TSESTree.TSParameterProperty;

export class FileIndex {
  /** Every call expression of the file, in walk order. */
  readonly callNodes: TSESTree.CallExpression[] = [];
  /** Every `new` expression of the file, in walk order. */
  readonly newNodes: TSESTree.NewExpression[] = [];
  private readonly variables = new Map<TSESTree.Identifier, Variable>();
  private readonly thisAssignments: TSESTree.AssignmentExpression[] = [];
  private readonly fieldDefinitions: FieldDefinition[] = [];

  constructor(
    ast: TSESTree.Program,
    scopeManager: TSESLint.Scope.ScopeManager | null,
    readonly visitorKeys: VisitorKeys,
  ) {
    this.indexScopes(scopeManager);
    walk(ast, visitorKeys, (node) => {
      if (node.type === AST_NODE_TYPES.CallExpression) this.callNodes.push(node);
      else if (node.type === AST_NODE_TYPES.NewExpression) this.newNodes.push(node);
      else if (
        node.type === AST_NODE_TYPES.AssignmentExpression &&
        node.left.type === AST_NODE_TYPES.MemberExpression &&
        node.left.object.type === AST_NODE_TYPES.ThisExpression
      ) {
        this.thisAssignments.push(node);
      } else if (node.type === AST_NODE_TYPES.PropertyDefinition || node.type === AST_NODE_TYPES.TSParameterProperty) {
        this.fieldDefinitions.push(node);
      }
    });
  }

  /** The variable an identifier declares or refers to, when the scope analysis resolved it. */
  variableOf(identifier: TSESTree.Identifier): Variable | undefined {
    return this.variables.get(identifier);
  }

  /** The instance fields `name` of `classNode`: property definitions and constructor parameter properties. */
  fieldsOf(classNode: ClassNode, name: string): FieldDefinition[] {
    return this.fieldDefinitions.filter((field) => {
      if (field.type === AST_NODE_TYPES.PropertyDefinition) {
        return !field.static && field.parent.parent === classNode && keyName(field.key, field.computed) === name;
      }
      const param = field.parameter;
      const id = param.type === AST_NODE_TYPES.AssignmentPattern ? param.left : param;
      const ctor = field.parent;
      return (
        id.type === AST_NODE_TYPES.Identifier &&
        id.name === name &&
        ctor?.parent?.type === AST_NODE_TYPES.MethodDefinition &&
        ctor.parent.parent.parent === classNode
      );
    });
  }

  /** The plain assignments `this.name = …` made inside `classNode`'s methods. */
  assignmentsToThis(classNode: ClassNode, name: string): TSESTree.AssignmentExpression[] {
    return this.thisAssignments.filter(
      (assignment) =>
        assignment.operator === '=' &&
        assignment.left.type === AST_NODE_TYPES.MemberExpression &&
        propertyName(assignment.left) === name &&
        thisClass(assignment) === classNode,
    );
  }

  private indexScopes(scopeManager: TSESLint.Scope.ScopeManager | null): void {
    if (!scopeManager) return;
    for (const scope of scopeManager.scopes) {
      for (const variable of scope.variables) {
        for (const identifier of variable.identifiers) this.variables.set(identifier, variable);
      }
      for (const reference of scope.references) {
        if (reference.resolved) this.variables.set(reference.identifier as TSESTree.Identifier, reference.resolved);
      }
    }
  }
}

/** The type annotation of a parameter or binding pattern (through a default value), if any. */
export function annotationOf(node: TSESTree.Node): TSESTree.TSTypeAnnotation | undefined {
  const target = node.type === AST_NODE_TYPES.AssignmentPattern ? node.left : node;
  if (
    target.type === AST_NODE_TYPES.Identifier ||
    target.type === AST_NODE_TYPES.ObjectPattern ||
    target.type === AST_NODE_TYPES.ArrayPattern ||
    target.type === AST_NODE_TYPES.RestElement
  ) {
    return target.typeAnnotation ?? undefined;
  }
  return undefined;
}

/** The initializer of a variable's first declaration, which later writes are told apart from. */
export function firstInit(variable: Variable): TSESTree.Node | undefined {
  const def = variable.defs[0];
  return def?.type === DefinitionType.Variable ? (def.node.init ?? undefined) : undefined;
}

/** Declared with `using` / `await using`. */
export function isDisposedVariable(variable: Variable): boolean {
  return variable.defs.some(
    (def) =>
      def.type === DefinitionType.Variable &&
      (def.parent.kind === 'using' || def.parent.kind === 'await using'),
  );
}

/** The value a variable is initialised with when it is declared exactly once as `name = init`. */
export function singleInit(variable: Variable | undefined): TSESTree.Expression | undefined {
  const def = variable?.defs[0];
  if (variable?.defs.length !== 1 || def?.type !== DefinitionType.Variable || def.node.id !== def.name) return undefined;
  return def.node.init ?? undefined;
}
