/**
 * Imports: what a binding holds of a followed package (`import`, `import =`, `require`, `import()`, namespace
 * members, destructuring), and whether a type annotation names one of its exports.
 */
import { AST_NODE_TYPES, TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { keyName, propertyName, unwrap } from './ast.js';
import type { BindingIndex } from './file-index.js';

const { DefinitionType } = TSESLint.Scope;

/** What a binding holds of a followed module: the whole module, or one export. */
export type ModuleValue =
  | { readonly kind: 'namespace'; readonly module: string }
  | { readonly kind: 'export'; readonly module: string; readonly name: string };

export class ModuleImports {
  constructor(
    private readonly index: BindingIndex,
    /** The package names followed (exact specifiers). */
    private readonly modules: ReadonlySet<string>,
  ) {}

  /** What of a followed module `node` evaluates to: `require('m')`, a namespace, an export, `ns.x`. */
  valueOfExpression(node: TSESTree.Node): ModuleValue | undefined {
    const expr = unwrap(node.type === AST_NODE_TYPES.AwaitExpression ? node.argument : node);
    const loaded = this.loadedModule(expr);
    if (loaded !== undefined) return { kind: 'namespace', module: loaded };
    if (expr.type === AST_NODE_TYPES.Identifier) return this.valueOf(expr);
    if (expr.type === AST_NODE_TYPES.MemberExpression) {
      const name = propertyName(expr);
      const object = name !== undefined ? this.valueOfExpression(expr.object) : undefined;
      if (name !== undefined && object?.kind === 'namespace') {
        return name === 'default' ? object : { kind: 'export', module: object.module, name };
      }
    }
    return undefined;
  }

  /** What of a followed module the binding `identifier` refers to holds. */
  valueOf(identifier: TSESTree.Identifier): ModuleValue | undefined {
    const variable = this.index.variableOf(identifier);
    if (!variable) return undefined;
    for (const def of variable.defs) {
      if (def.type === DefinitionType.ImportBinding) {
        const spec = def.node;
        if (spec.type === AST_NODE_TYPES.TSImportEqualsDeclaration) {
          const ref = spec.moduleReference;
          if (
            ref.type === AST_NODE_TYPES.TSExternalModuleReference &&
            ref.expression.type === AST_NODE_TYPES.Literal &&
            typeof ref.expression.value === 'string' &&
            this.modules.has(ref.expression.value)
          ) {
            return { kind: 'namespace', module: ref.expression.value };
          }
          continue;
        }
        const declaration = def.parent;
        if (declaration.type !== AST_NODE_TYPES.ImportDeclaration || !this.modules.has(declaration.source.value)) {
          continue;
        }
        const module = declaration.source.value;
        if (spec.type === AST_NODE_TYPES.ImportSpecifier) {
          const imported = spec.imported.type === AST_NODE_TYPES.Identifier ? spec.imported.name : spec.imported.value;
          return imported === 'default' ? { kind: 'namespace', module } : { kind: 'export', module, name: imported };
        }
        return { kind: 'namespace', module };
      }
      if (def.type === DefinitionType.Variable && def.node.init) {
        if (def.node.id === def.name) return this.valueOfExpression(def.node.init);
        // `const { createLocks: make } = require('locksmith-js')`
        const property = def.name.parent;
        if (property?.type === AST_NODE_TYPES.Property && property.parent === def.node.id) {
          const whole = this.valueOfExpression(def.node.init);
          const name = keyName(property.key, property.computed);
          if (whole?.kind === 'namespace' && name !== undefined) return { kind: 'export', module: whole.module, name };
        }
      }
    }
    return undefined;
  }

  /**
   * Whether a type annotation names one of the exports `names` of a module in `modules` (`Lock`, `ls.Lock`,
   * `Lock | null`, `import('m').Lock`). A default import counts as the export `default`.
   */
  annotationIs(
    annotation: TSESTree.TSTypeAnnotation | undefined,
    names: ReadonlySet<string>,
    modules: ReadonlySet<string>,
  ): boolean {
    if (!annotation) return false;
    const matches = (type: TSESTree.TypeNode): boolean => {
      if (type.type === AST_NODE_TYPES.TSUnionType) return type.types.some(matches);
      if (type.type === AST_NODE_TYPES.TSImportType) {
        const source = (type as { source?: TSESTree.StringLiteral }).source;
        return (
          source !== undefined &&
          modules.has(source.value) &&
          type.qualifier?.type === AST_NODE_TYPES.Identifier &&
          names.has(type.qualifier.name)
        );
      }
      if (type.type !== AST_NODE_TYPES.TSTypeReference) return false;
      const { typeName } = type;
      if (typeName.type === AST_NODE_TYPES.Identifier) return this.isExport(this.valueOf(typeName), names, modules);
      if (typeName.type === AST_NODE_TYPES.TSQualifiedName && typeName.left.type === AST_NODE_TYPES.Identifier) {
        const value = this.valueOf(typeName.left);
        return value?.kind === 'namespace' && modules.has(value.module) && names.has(typeName.right.name);
      }
      return false;
    };
    return matches(annotation.typeAnnotation);
  }

  /**
   * Whether `value` is one of the exports `names` of a module in `modules`. A namespace value counts as the
   * export `default` (a default import, `require('m')`): in these libraries the default export is the class.
   */
  isExport(value: ModuleValue | undefined, names: ReadonlySet<string>, modules: ReadonlySet<string>): boolean {
    if (!value || !modules.has(value.module)) return false;
    return value.kind === 'export' ? names.has(value.name) : names.has('default');
  }

  /** The followed module `require('m')` / `import('m')` loads, if `expr` is one. */
  private loadedModule(expr: TSESTree.Node): string | undefined {
    let source: TSESTree.Node | undefined;
    if (expr.type === AST_NODE_TYPES.ImportExpression) source = expr.source;
    else if (
      expr.type === AST_NODE_TYPES.CallExpression &&
      expr.callee.type === AST_NODE_TYPES.Identifier &&
      expr.callee.name === 'require'
    ) {
      source = expr.arguments[0];
    }
    return source?.type === AST_NODE_TYPES.Literal && typeof source.value === 'string' && this.modules.has(source.value)
      ? source.value
      : undefined;
  }
}
