/**
 * What is a lock: follows `createLocks()` from `locksmith-js` through imports, `require`, variables and class
 * fields; receivers named in `settings.locksmith.lockFactories`; and, with type information, receivers typed as
 * locksmith's manager or `Lock`. Purely syntactic unless the parser provides a program.
 */
import { AST_NODE_TYPES, TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { keyName, propertyName, thisClass, unwrap } from './ast.js';
import { LOCKSMITH_MODULE } from './locksmith-module.js';
import type { TypeOracle } from './types-oracle.js';
import {
  LOCK_METHODS,
  type FunctionLike,
  type LockCreation,
  type LockMethod,
  type LockMethodCall,
  type LockRef,
} from './types.js';

/** Exported type names that denote a lock manager in a type annotation. */
export const MANAGER_TYPE_NAMES: ReadonlySet<string> = new Set(['LockManager', 'Locks', 'LockFactory']);
/** Exported type names that denote a lock in a type annotation. */
export const LOCK_TYPE_NAMES: ReadonlySet<string> = new Set(['Lock']);

const LOCK_METHOD_SET: ReadonlySet<string> = new Set(LOCK_METHODS);
const { DefinitionType } = TSESLint.Scope;
type Variable = TSESLint.Scope.Variable;

type ClassNode = TSESTree.ClassDeclaration | TSESTree.ClassExpression;
/** What a binding holds of the locksmith module: the whole module, or one export. */
type ModuleValue = { kind: 'namespace' } | { kind: 'export'; name: string };

export interface ResolverInput {
  readonly ast: TSESTree.Program;
  readonly scopeManager: TSESLint.Scope.ScopeManager | null;
  readonly visitorKeys: Readonly<Record<string, readonly string[] | undefined>>;
  readonly lockFactories: readonly string[];
  readonly types: TypeOracle | undefined;
}

/** The per-file index of locks, managers and lock method calls. */
export class LockResolver {
  readonly creations: LockCreation[] = [];
  readonly calls: LockMethodCall[] = [];
  private readonly creationByCall = new Map<TSESTree.Node, LockCreation>();
  private readonly callByNode = new Map<TSESTree.Node, LockMethodCall>();
  private readonly variableOf = new Map<TSESTree.Identifier, Variable>();
  private readonly thisAssignments: TSESTree.AssignmentExpression[] = [];
  private readonly fieldDefinitions: (TSESTree.PropertyDefinition | TSESTree.TSParameterProperty)[] = [];
  private readonly factories: ReadonlySet<string>;
  private readonly managerVars = new Map<Variable, boolean>();
  private readonly lockVars = new Map<Variable, LockRef | null>();
  private readonly fieldRefs = new Map<ClassNode, Map<string, LockRef | null>>();
  private readonly managerFields = new Map<ClassNode, Map<string, boolean>>();
  private readonly chainRefs = new Map<TSESTree.Node, LockRef>();
  private readonly typedRefs = new Map<object, LockRef>();

  constructor(private readonly input: ResolverInput) {
    this.factories = new Set(input.lockFactories);
    this.indexScopes();
    const callNodes: TSESTree.CallExpression[] = [];
    this.walk(input.ast, (node) => {
      if (node.type === AST_NODE_TYPES.CallExpression) callNodes.push(node);
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
    for (const call of callNodes) {
      const creation = this.creationOf(call);
      if (creation) this.creations.push(creation);
    }
    for (const call of callNodes) {
      const lockCall = this.lockCallOf(call);
      if (lockCall) {
        this.calls.push(lockCall);
        this.callByNode.set(call, lockCall);
      }
    }
  }

  /** The lock method call made by `node`, if any. */
  callOf(node: TSESTree.Node): LockMethodCall | undefined {
    return this.callByNode.get(node);
  }

  /** The lock creation made by `node` (`manager.lock(…)` / `manager.restoreLock(…)`), if any. */
  creationOf(node: TSESTree.Node): LockCreation | undefined {
    const cached = this.creationByCall.get(node);
    if (cached) return cached;
    if (node.type !== AST_NODE_TYPES.CallExpression) return undefined;
    const callee = unwrap(node.callee);
    if (callee.type !== AST_NODE_TYPES.MemberExpression) return undefined;
    const method = propertyName(callee);
    if (method !== 'lock' && method !== 'restoreLock') return undefined;
    if (!this.isManager(callee.object)) return undefined;
    const arg = (index: number): TSESTree.Expression | undefined => {
      const value = node.arguments[index];
      return value && value.type !== AST_NODE_TYPES.SpreadElement ? value : undefined;
    };
    const creation: LockCreation = {
      call: node,
      kind: method,
      manager: callee.object,
      name: arg(0),
      ttl: method === 'lock' ? arg(1) : undefined,
      owner: method === 'restoreLock' ? arg(1) : undefined,
    };
    this.creationByCall.set(node, creation);
    return creation;
  }

  /** Whether `node` evaluates to a lock manager. */
  isManager(node: TSESTree.Node): boolean {
    const expr = unwrap(node);
    switch (expr.type) {
      case AST_NODE_TYPES.Identifier: {
        if (this.factories.has(expr.name)) return true;
        const variable = this.variableOf.get(expr);
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
    return this.input.types?.isManager(expr) ?? false;
  }

  /** The lock `node` evaluates to, if it is one. */
  lockOf(node: TSESTree.Node): LockRef | undefined {
    const expr = unwrap(node);
    let ref: LockRef | undefined;
    switch (expr.type) {
      case AST_NODE_TYPES.CallExpression: {
        const creation = this.creationOf(expr);
        if (creation) ref = this.chainRef(creation);
        break;
      }
      case AST_NODE_TYPES.Identifier: {
        const variable = this.variableOf.get(expr);
        if (variable) ref = this.lockOfVariable(variable);
        break;
      }
      case AST_NODE_TYPES.MemberExpression: {
        const name = propertyName(expr);
        const classNode = expr.object.type === AST_NODE_TYPES.ThisExpression ? thisClass(expr) : undefined;
        if (name !== undefined && classNode) ref = this.lockOfField(classNode, name);
        break;
      }
      default:
        break;
    }
    if (ref) return ref;
    if (!this.input.types?.isLock(expr)) return undefined;
    return this.typedRef(expr);
  }

  // ---- managers ------------------------------------------------------------------------------------------

  private isManagerVariable(variable: Variable): boolean {
    const known = this.managerVars.get(variable);
    if (known !== undefined) return known;
    this.managerVars.set(variable, false); // cycle guard: `let a = b; b = a;`
    let result = false;
    for (const def of variable.defs) {
      if (def.type === DefinitionType.Variable && def.node.id === def.name && def.node.init) {
        result ||= this.isManager(def.node.init);
      } else if (def.type === DefinitionType.Parameter) {
        result ||= this.annotationIs(annotationOf(def.name), MANAGER_TYPE_NAMES);
      }
    }
    for (const reference of variable.references) {
      if (!result && reference.writeExpr && reference.writeExpr !== firstInit(variable)) {
        result = this.isManager(reference.writeExpr);
      }
    }
    this.managerVars.set(variable, result);
    return result;
  }

  private isManagerField(classNode: ClassNode, name: string): boolean {
    let perClass = this.managerFields.get(classNode);
    if (!perClass) this.managerFields.set(classNode, (perClass = new Map()));
    const known = perClass.get(name);
    if (known !== undefined) return known;
    perClass.set(name, false);
    let result = false;
    for (const field of this.fieldsOf(classNode, name)) {
      if (field.type === AST_NODE_TYPES.PropertyDefinition) {
        result ||= (field.value !== null && this.isManager(field.value)) || this.annotationIs(field.typeAnnotation, MANAGER_TYPE_NAMES);
      } else {
        result ||= this.annotationIs(annotationOf(field.parameter), MANAGER_TYPE_NAMES);
      }
    }
    for (const assignment of this.assignmentsToThis(classNode, name)) result ||= this.isManager(assignment.right);
    perClass.set(name, result);
    return result;
  }

  /** Whether `callee` is locksmith's `createLocks` (imported, aliased, namespaced or required). */
  private isCreateLocks(callee: TSESTree.Node): boolean {
    const expr = unwrap(callee);
    if (expr.type === AST_NODE_TYPES.Identifier) {
      const value = this.moduleValueOf(expr);
      return value?.kind === 'export' && value.name === 'createLocks';
    }
    if (expr.type === AST_NODE_TYPES.MemberExpression && propertyName(expr) === 'createLocks') {
      return this.moduleValueOfExpression(expr.object)?.kind === 'namespace';
    }
    return false;
  }

  /** What of the locksmith module `node` evaluates to: `require('locksmith-js')`, a namespace, an export. */
  private moduleValueOfExpression(node: TSESTree.Node): ModuleValue | undefined {
    const expr = unwrap(node.type === AST_NODE_TYPES.AwaitExpression ? node.argument : node);
    if (isModuleLoad(expr)) return { kind: 'namespace' };
    if (expr.type === AST_NODE_TYPES.Identifier) return this.moduleValueOf(expr);
    if (expr.type === AST_NODE_TYPES.MemberExpression) {
      const name = propertyName(expr);
      if (name !== undefined && this.moduleValueOfExpression(expr.object)?.kind === 'namespace') {
        return name === 'default' ? { kind: 'namespace' } : { kind: 'export', name };
      }
    }
    return undefined;
  }

  private moduleValueOf(identifier: TSESTree.Identifier): ModuleValue | undefined {
    const variable = this.variableOf.get(identifier);
    if (!variable) return undefined;
    for (const def of variable.defs) {
      if (def.type === DefinitionType.ImportBinding) {
        const spec = def.node;
        if (spec.type === AST_NODE_TYPES.TSImportEqualsDeclaration) {
          const ref = spec.moduleReference;
          if (
            ref.type === AST_NODE_TYPES.TSExternalModuleReference &&
            ref.expression.type === AST_NODE_TYPES.Literal &&
            ref.expression.value === LOCKSMITH_MODULE
          ) {
            return { kind: 'namespace' };
          }
          continue;
        }
        const declaration = def.parent;
        if (declaration.type !== AST_NODE_TYPES.ImportDeclaration || declaration.source.value !== LOCKSMITH_MODULE) {
          continue;
        }
        if (spec.type === AST_NODE_TYPES.ImportSpecifier) {
          const imported = spec.imported.type === AST_NODE_TYPES.Identifier ? spec.imported.name : spec.imported.value;
          return imported === 'default' ? { kind: 'namespace' } : { kind: 'export', name: imported };
        }
        return { kind: 'namespace' };
      }
      if (def.type === DefinitionType.Variable && def.node.init) {
        if (def.node.id === def.name) return this.moduleValueOfExpression(def.node.init);
        // `const { createLocks: make } = require('locksmith-js')`
        const property = def.name.parent;
        if (
          property?.type === AST_NODE_TYPES.Property &&
          property.parent === def.node.id &&
          this.moduleValueOfExpression(def.node.init)?.kind === 'namespace'
        ) {
          const name = keyName(property.key, property.computed);
          if (name !== undefined) return { kind: 'export', name };
        }
      }
    }
    return undefined;
  }

  // ---- locks ---------------------------------------------------------------------------------------------

  private chainRef(creation: LockCreation): LockRef {
    let ref = this.chainRefs.get(creation.call);
    if (!ref) {
      ref = {
        id: creation.call,
        binding: 'chain',
        creations: [creation],
        creation,
        variable: undefined,
        field: undefined,
        disposed: false,
      };
      this.chainRefs.set(creation.call, ref);
    }
    return ref;
  }

  private typedRef(expr: TSESTree.Node): LockRef {
    const variable = expr.type === AST_NODE_TYPES.Identifier ? this.variableOf.get(expr) : undefined;
    const classNode =
      expr.type === AST_NODE_TYPES.MemberExpression && expr.object.type === AST_NODE_TYPES.ThisExpression
        ? thisClass(expr)
        : undefined;
    const fieldName = expr.type === AST_NODE_TYPES.MemberExpression ? propertyName(expr) : undefined;
    const field = classNode && fieldName !== undefined ? { classNode, name: fieldName } : undefined;
    const key: object = variable ?? (field ? fieldToken(field.classNode, field.name) : expr);
    let ref = this.typedRefs.get(key);
    if (!ref) {
      ref = {
        id: key,
        binding: variable ? 'variable' : field ? 'field' : 'typed',
        creations: [],
        creation: undefined,
        variable,
        field,
        disposed: variable ? isDisposedVariable(variable) : false,
      };
      this.typedRefs.set(key, ref);
    }
    return ref;
  }

  private lockOfVariable(variable: Variable): LockRef | undefined {
    const known = this.lockVars.get(variable);
    if (known !== undefined) return known ?? undefined;
    this.lockVars.set(variable, null); // cycle guard
    const creations: LockCreation[] = [];
    let alias: LockRef | undefined;
    let annotated = false;
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
        annotated ||= this.annotationIs(annotationOf(def.name), LOCK_TYPE_NAMES);
        const fromClosure =
          def.name.type === AST_NODE_TYPES.Identifier ? this.closureLockParameter(def.name) : undefined;
        if (fromClosure) alias ??= fromClosure;
      }
    }
    for (const reference of variable.references) {
      if (reference.writeExpr && reference.writeExpr !== firstInit(variable)) consider(reference.writeExpr);
    }
    let ref: LockRef | undefined;
    if (creations.length === 0 && alias) ref = alias;
    else if (creations.length > 0 || annotated) {
      ref = {
        id: variable,
        binding: 'variable',
        creations,
        creation: creations[0],
        variable,
        field: undefined,
        disposed: isDisposedVariable(variable),
      };
    }
    this.lockVars.set(variable, ref ?? null);
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
    const lockCall = this.lockCallOf(call);
    return lockCall?.closure === fn ? lockCall.lock : undefined;
  }

  private lockOfField(classNode: ClassNode, name: string): LockRef | undefined {
    let perClass = this.fieldRefs.get(classNode);
    if (!perClass) this.fieldRefs.set(classNode, (perClass = new Map()));
    const known = perClass.get(name);
    if (known !== undefined) return known ?? undefined;
    perClass.set(name, null);
    const creations: LockCreation[] = [];
    let annotated = false;
    const consider = (value: TSESTree.Node): void => {
      const ref = this.lockOf(value);
      if (ref?.binding === 'chain' && ref.creation) creations.push(ref.creation);
      else if (ref) annotated = true; // assigned from another lock: still a lock field
    };
    for (const field of this.fieldsOf(classNode, name)) {
      if (field.type === AST_NODE_TYPES.PropertyDefinition) {
        if (field.value) consider(field.value);
        annotated ||= this.annotationIs(field.typeAnnotation, LOCK_TYPE_NAMES);
      } else {
        annotated ||= this.annotationIs(annotationOf(field.parameter), LOCK_TYPE_NAMES);
      }
    }
    for (const assignment of this.assignmentsToThis(classNode, name)) consider(assignment.right);
    const ref: LockRef | undefined =
      creations.length > 0 || annotated
        ? {
            id: fieldToken(classNode, name),
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

  private fieldsOf(
    classNode: ClassNode,
    name: string,
  ): (TSESTree.PropertyDefinition | TSESTree.TSParameterProperty)[] {
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

  private assignmentsToThis(classNode: ClassNode, name: string): TSESTree.AssignmentExpression[] {
    return this.thisAssignments.filter(
      (assignment) =>
        assignment.operator === '=' &&
        assignment.left.type === AST_NODE_TYPES.MemberExpression &&
        propertyName(assignment.left) === name &&
        thisClass(assignment) === classNode,
    );
  }

  private lockCallOf(call: TSESTree.CallExpression): LockMethodCall | undefined {
    const known = this.callByNode.get(call);
    if (known) return known;
    const callee = unwrap(call.callee);
    if (callee.type !== AST_NODE_TYPES.MemberExpression) return undefined;
    const method = propertyName(callee);
    if (method === undefined || !LOCK_METHOD_SET.has(method)) return undefined;
    const lock = this.lockOf(callee.object);
    if (!lock) return undefined;
    const lockMethod = method as LockMethod;
    const args = call.arguments;
    const plain = (index: number): TSESTree.Expression | undefined => {
      const value = args[index];
      return value && value.type !== AST_NODE_TYPES.SpreadElement ? value : undefined;
    };
    const callbackIndex = lockMethod === 'get' ? 0 : lockMethod === 'block' ? 1 : -1;
    const candidate = callbackIndex >= 0 ? plain(callbackIndex) : undefined;
    const callback = candidate && this.mayBeCallback(candidate) ? candidate : undefined;
    const inline = callback ? unwrap(callback) : undefined;
    const closure =
      inline &&
      (inline.type === AST_NODE_TYPES.ArrowFunctionExpression || inline.type === AST_NODE_TYPES.FunctionExpression)
        ? (inline as FunctionLike)
        : undefined;
    const result: LockMethodCall = {
      call,
      method: lockMethod,
      lock,
      receiver: callee.object,
      duration: lockMethod === 'block' || lockMethod === 'refresh' ? plain(0) : undefined,
      callback,
      closure,
    };
    this.callByNode.set(call, result);
    return result;
  }

  /**
   * Whether an argument in the callback position may be a callback. Only what is certainly not a function
   * (an options object, `undefined`, `null`, a primitive literal) is excluded: treating an unknown value as a
   * callback means "the library releases the lock", which can only hide a finding, never invent one.
   */
  private mayBeCallback(node: TSESTree.Expression): boolean {
    const expr = unwrap(node);
    if (expr.type === AST_NODE_TYPES.ObjectExpression || expr.type === AST_NODE_TYPES.Literal) return false;
    if (expr.type === AST_NODE_TYPES.TemplateLiteral || expr.type === AST_NODE_TYPES.ArrayExpression) return false;
    if (expr.type === AST_NODE_TYPES.Identifier) {
      if (expr.name === 'undefined') return false;
      const variable = this.variableOf.get(expr);
      const def = variable?.defs[0];
      if (variable?.defs.length === 1 && def?.type === DefinitionType.Variable && def.node.id === def.name) {
        const init = def.node.init && unwrap(def.node.init);
        if (init?.type === AST_NODE_TYPES.ObjectExpression) return false;
      }
    }
    return true;
  }

  // ---- helpers -------------------------------------------------------------------------------------------

  /** Whether a type annotation names one of locksmith's types in `names` (`Lock`, `ls.Lock`, `Lock | null`). */
  private annotationIs(annotation: TSESTree.TSTypeAnnotation | undefined, names: ReadonlySet<string>): boolean {
    if (!annotation) return false;
    const matches = (type: TSESTree.TypeNode): boolean => {
      if (type.type === AST_NODE_TYPES.TSUnionType) return type.types.some(matches);
      if (type.type === AST_NODE_TYPES.TSImportType) {
        // `import('locksmith-js').Lock`
        const source = (type as { source?: TSESTree.StringLiteral }).source;
        return (
          source?.value === LOCKSMITH_MODULE &&
          type.qualifier?.type === AST_NODE_TYPES.Identifier &&
          names.has(type.qualifier.name)
        );
      }
      if (type.type !== AST_NODE_TYPES.TSTypeReference) return false;
      const { typeName } = type;
      if (typeName.type === AST_NODE_TYPES.Identifier) {
        const value = this.moduleValueOf(typeName);
        return value?.kind === 'export' && names.has(value.name);
      }
      if (typeName.type === AST_NODE_TYPES.TSQualifiedName && typeName.left.type === AST_NODE_TYPES.Identifier) {
        return this.moduleValueOf(typeName.left)?.kind === 'namespace' && names.has(typeName.right.name);
      }
      return false;
    };
    return matches(annotation.typeAnnotation);
  }

  private indexScopes(): void {
    const manager = this.input.scopeManager;
    if (!manager) return;
    for (const scope of manager.scopes) {
      for (const variable of scope.variables) {
        for (const identifier of variable.identifiers) this.variableOf.set(identifier, variable);
      }
      for (const reference of scope.references) {
        if (reference.resolved) this.variableOf.set(reference.identifier as TSESTree.Identifier, reference.resolved);
      }
    }
  }

  private walk(root: TSESTree.Node, visit: (node: TSESTree.Node) => void): void {
    const stack: TSESTree.Node[] = [root];
    while (stack.length > 0) {
      const node = stack.pop()!;
      visit(node);
      const keys = this.input.visitorKeys[node.type] ?? [];
      for (const key of keys) {
        const child = (node as unknown as Record<string, unknown>)[key];
        if (Array.isArray(child)) {
          for (const item of child) if (isNode(item)) pushChild(stack, item, node);
        } else if (isNode(child)) {
          pushChild(stack, child, node);
        }
      }
    }
  }
}

function pushChild(stack: TSESTree.Node[], child: TSESTree.Node, parent: TSESTree.Node): void {
  // ESLint sets `parent` before rules run; setting the same value keeps direct callers (tests) working too.
  if (!child.parent) (child as { parent?: TSESTree.Node }).parent = parent;
  stack.push(child);
}

function isNode(value: unknown): value is TSESTree.Node {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/** `require('locksmith-js')` or `import('locksmith-js')`. */
function isModuleLoad(expr: TSESTree.Node): boolean {
  if (expr.type === AST_NODE_TYPES.ImportExpression) {
    return expr.source.type === AST_NODE_TYPES.Literal && expr.source.value === LOCKSMITH_MODULE;
  }
  if (expr.type !== AST_NODE_TYPES.CallExpression) return false;
  const [first] = expr.arguments;
  return (
    expr.callee.type === AST_NODE_TYPES.Identifier &&
    expr.callee.name === 'require' &&
    first?.type === AST_NODE_TYPES.Literal &&
    first.value === LOCKSMITH_MODULE
  );
}

function annotationOf(node: TSESTree.Node): TSESTree.TSTypeAnnotation | undefined {
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

function firstInit(variable: Variable): TSESTree.Node | undefined {
  const def = variable.defs[0];
  return def?.type === DefinitionType.Variable ? (def.node.init ?? undefined) : undefined;
}

function isDisposedVariable(variable: Variable): boolean {
  return variable.defs.some(
    (def) =>
      def.type === DefinitionType.Variable &&
      (def.parent.kind === 'using' || def.parent.kind === 'await using'),
  );
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
