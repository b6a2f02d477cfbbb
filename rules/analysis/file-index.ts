/**
 * The per-file index the resolvers share: which variable each identifier denotes, every call, every
 * `this.x = …` assignment and every class field, gathered in one walk. {@link LazyBindingIndex} answers the
 * same binding questions without the walk, for the few nodes the fast path asks about.
 */
import { AST_NODE_TYPES, TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { keyName, propertyName, thisClass, walk, type VisitorKeys } from './ast.js';

const { DefinitionType } = TSESLint.Scope;
export type Variable = TSESLint.Scope.Variable;
export type ClassNode = TSESTree.ClassDeclaration | TSESTree.ClassExpression;
type FieldDefinition = TSESTree.PropertyDefinition | TSESTree.TSParameterProperty;

/** What the manager and import resolvers read of a file: bindings, class fields, `this.x = …` writes. */
export interface BindingIndex {
  /** The variable an identifier declares or refers to, when the scope analysis resolved it. */
  variableOf(identifier: TSESTree.Identifier): Variable | undefined;
  /** The instance fields `name` of `classNode`: property definitions and constructor parameter properties. */
  fieldsOf(classNode: ClassNode, name: string): FieldDefinition[];
  /** The plain assignments `this.name = …` made inside `classNode`'s methods. */
  assignmentsToThis(classNode: ClassNode, name: string): TSESTree.AssignmentExpression[];
}

/** The class members a walk collects: every `this.x = …` assignment and every field definition. */
interface Members {
  readonly thisAssignments: TSESTree.AssignmentExpression[];
  readonly fieldDefinitions: FieldDefinition[];
}

/** Adds `node` to `members` when it is a `this.x = …` assignment or a field definition. */
function collectMember(node: TSESTree.Node, members: Members): void {
  if (
    node.type === AST_NODE_TYPES.AssignmentExpression &&
    node.left.type === AST_NODE_TYPES.MemberExpression &&
    node.left.object.type === AST_NODE_TYPES.ThisExpression
  ) {
    members.thisAssignments.push(node);
  } else if (node.type === AST_NODE_TYPES.PropertyDefinition || node.type === AST_NODE_TYPES.TSParameterProperty) {
    members.fieldDefinitions.push(node);
  }
}

function fieldsNamed(fields: readonly FieldDefinition[], classNode: ClassNode, name: string): FieldDefinition[] {
  return fields.filter((field) => {
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

function assignmentsNamed(
  assignments: readonly TSESTree.AssignmentExpression[],
  classNode: ClassNode,
  name: string,
): TSESTree.AssignmentExpression[] {
  return assignments.filter(
    (assignment) =>
      assignment.operator === '=' &&
      assignment.left.type === AST_NODE_TYPES.MemberExpression &&
      propertyName(assignment.left) === name &&
      thisClass(assignment) === classNode,
  );
}

export class FileIndex implements BindingIndex {
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
    const members: Members = { thisAssignments: this.thisAssignments, fieldDefinitions: this.fieldDefinitions };
    walk(ast, visitorKeys, (node) => {
      if (node.type === AST_NODE_TYPES.CallExpression) this.callNodes.push(node);
      else if (node.type === AST_NODE_TYPES.NewExpression) this.newNodes.push(node);
      else collectMember(node, members);
    });
  }

  variableOf(identifier: TSESTree.Identifier): Variable | undefined {
    return this.variables.get(identifier);
  }

  fieldsOf(classNode: ClassNode, name: string): FieldDefinition[] {
    return fieldsNamed(this.fieldDefinitions, classNode, name);
  }

  assignmentsToThis(classNode: ClassNode, name: string): TSESTree.AssignmentExpression[] {
    return assignmentsNamed(this.thisAssignments, classNode, name);
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

/**
 * The binding questions of {@link FileIndex} answered on demand, without walking the file: a variable is looked
 * up in the scopes around its identifier, a class's members by walking that class alone. The answers are the
 * same (a reference is recorded in a scope enclosing its identifier, and a class's members lie inside it); the
 * fast path uses it to resolve the few receivers it asks about in a file it does not walk.
 */
export class LazyBindingIndex implements BindingIndex {
  private readonly members = new Map<ClassNode, Members>();

  constructor(
    /** The innermost scope around a node (ESLint's `sourceCode.getScope`). */
    private readonly scopeOf: (node: TSESTree.Node) => TSESLint.Scope.Scope,
    private readonly visitorKeys: VisitorKeys,
  ) {}

  variableOf(identifier: TSESTree.Identifier): Variable | undefined {
    let declared: Variable | undefined;
    for (let scope: TSESLint.Scope.Scope | null = this.scopeOf(identifier); scope; scope = scope.upper) {
      for (const reference of scope.references) {
        if (reference.identifier === identifier && reference.resolved) return reference.resolved;
      }
      const variable = scope.set.get(identifier.name);
      if (!declared && variable?.identifiers.includes(identifier)) declared = variable;
    }
    return declared;
  }

  fieldsOf(classNode: ClassNode, name: string): FieldDefinition[] {
    return fieldsNamed(this.membersOf(classNode).fieldDefinitions, classNode, name);
  }

  assignmentsToThis(classNode: ClassNode, name: string): TSESTree.AssignmentExpression[] {
    return assignmentsNamed(this.membersOf(classNode).thisAssignments, classNode, name);
  }

  private membersOf(classNode: ClassNode): Members {
    let members = this.members.get(classNode);
    if (!members) {
      members = { thisAssignments: [], fieldDefinitions: [] };
      const found = members;
      walk(classNode, this.visitorKeys, (node) => collectMember(node, found));
      this.members.set(classNode, members);
    }
    return members;
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
