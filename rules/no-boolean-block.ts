import { AST_NODE_TYPES, ASTUtils, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { indentUnit, lineIndent, methodCallLoc, unwrap } from './analysis/ast.js';
import { awaitOf, booleanTestOf } from './analysis/boolean-use.js';
import { getLockAnalysis, LOCKSMITH_MODULE } from './analysis/index.js';
import { createRule } from './utils.js';

export type Options = [];
export type MessageIds = 'booleanBlock' | 'booleanBlockVariable' | 'suggestCatchTimeout';

const ERROR_NAME = 'LockTimeoutError';

export default createRule<Options, MessageIds>({
  name: 'no-boolean-block',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow testing the result of `block()` as a boolean: it resolves `true` or throws',
      recommended: 'recommended',
    },
    hasSuggestions: true,
    schema: [],
    defaultOptions: [],
    messages: {
      booleanBlock:
        '`block()` never resolves `false`: it resolves `true` or throws `LockTimeoutError`. The "not acquired" branch of this test is dead and a timeout escapes as an exception. Catch the error (`e instanceof LockTimeoutError`), use `get()` for a single attempt, or the closure form `block(wait, fn)`.',
      booleanBlockVariable:
        '`{{name}}` holds the result of `block()`, which is never `false`: it resolves `true` or throws `LockTimeoutError`. The "not acquired" branch of its test is dead and a timeout escapes as an exception. Catch the error (`e instanceof LockTimeoutError`), or use `get()` for a single attempt.',
      suggestCatchTimeout: 'Wait in a `try` and run this branch when `block()` throws `LockTimeoutError`.',
    },
  },
  create(context) {
    const { sourceCode } = context;
    return {
      'Program:exit'() {
        for (const acquisition of getLockAnalysis(context).acquisitions) {
          // locksmith's block() only: its suggestion catches LockTimeoutError.
          if (acquisition.method !== 'block' || acquisition.callback || acquisition.library !== 'locksmith') continue;
          const awaited = awaitOf(acquisition.call);
          if (!awaited) continue;
          const use = booleanTestOf(awaited, sourceCode);
          if (!use) continue;
          const fix = use.variable ? undefined : catchTimeoutFix(sourceCode, acquisition.call, awaited, use.test);
          context.report({
            loc: methodCallLoc(acquisition.call),
            messageId: use.variable ? 'booleanBlockVariable' : 'booleanBlock',
            data: { name: use.variable?.name ?? '' },
            suggest: fix ? [{ messageId: 'suggestCatchTimeout', fix }] : [],
          });
        }
      },
    };
  },
});

/** `!x`, `x === false`, `x !== true` (and the loose forms): the test that is true when `x` is "not acquired". */
function isNegation(test: TSESTree.Node, awaited: TSESTree.AwaitExpression): boolean {
  if (test.type === AST_NODE_TYPES.UnaryExpression) return test.operator === '!' && unwrap(test.argument) === awaited;
  if (test.type !== AST_NODE_TYPES.BinaryExpression) return false;
  const other = unwrap(test.left) === awaited ? test.right : unwrap(test.right) === awaited ? test.left : undefined;
  if (other?.type !== AST_NODE_TYPES.Literal || typeof other.value !== 'boolean') return false;
  const equal = test.operator === '===' || test.operator === '==';
  return equal !== other.value;
}

/**
 * `if (!(await lock.block(5))) { fallback }` (no `else`) becomes a `try` around the wait whose `catch` runs the
 * fallback for a `LockTimeoutError` and rethrows anything else: what the author meant the test to do. Offered
 * only where `LockTimeoutError` is in scope or can join an existing `import { … } from 'locksmith-js'`.
 */
function catchTimeoutFix(
  sourceCode: Readonly<TSESLint.SourceCode>,
  call: TSESTree.CallExpression,
  awaited: TSESTree.AwaitExpression,
  test: TSESTree.Node,
): TSESLint.ReportFixFunction | undefined {
  const statement = test.parent;
  if (statement?.type !== AST_NODE_TYPES.IfStatement || statement.test !== test || statement.alternate) return undefined;
  if (!isNegation(test, awaited)) return undefined;
  const parent = statement.parent;
  if (parent?.type !== AST_NODE_TYPES.BlockStatement && parent?.type !== AST_NODE_TYPES.Program) return undefined;
  if (statement.loc.start.line !== statement.test.loc.start.line) return undefined;

  const scope = sourceCode.getScope(statement);
  const errorInScope = ASTUtils.findVariable(scope, ERROR_NAME);
  const importDeclaration = errorInScope ? undefined : locksmithImport(sourceCode.ast);
  if (!errorInScope && !importDeclaration) return undefined;
  if (errorInScope && !isLocksmithBinding(errorInScope)) return undefined;

  const { consequent } = statement;
  const inner =
    consequent.type === AST_NODE_TYPES.BlockStatement
      ? consequent.body.length > 0
        ? sourceCode.text.slice(consequent.body[0]!.range[0], consequent.body[consequent.body.length - 1]!.range[1])
        : ''
      : sourceCode.getText(consequent);
  // The catch parameter must not shadow a name the fallback uses.
  const used = new Set(sourceCode.getTokens(consequent).map((token) => token.value));
  const error = ['error', 'lockError', 'timeoutError'].find((name) => !used.has(name));
  if (!error) return undefined;

  const indent = lineIndent(sourceCode.lines, statement);
  const unit = indentUnit(indent);
  const body = [`if (!(${error} instanceof ${ERROR_NAME})) throw ${error};`, ...(inner ? [inner] : [])];
  const text =
    `try {\n${indent}${unit}await ${sourceCode.getText(call)};\n${indent}} catch (${error}) {\n` +
    body.map((line) => `${indent}${unit}${line}`).join('\n') +
    `\n${indent}}`;
  return (fixer) => {
    const fixes = [fixer.replaceText(statement, text)];
    if (importDeclaration) {
      const last = importDeclaration.specifiers[importDeclaration.specifiers.length - 1]!;
      fixes.push(fixer.insertTextAfter(last, `, ${ERROR_NAME}`));
    }
    return fixes;
  };
}

/** A value import `import { … } from 'locksmith-js'` with named specifiers, to add `LockTimeoutError` to. */
function locksmithImport(program: TSESTree.Program): TSESTree.ImportDeclaration | undefined {
  return program.body.find(
    (node): node is TSESTree.ImportDeclaration =>
      node.type === AST_NODE_TYPES.ImportDeclaration &&
      node.source.value === LOCKSMITH_MODULE &&
      node.importKind !== 'type' &&
      node.specifiers.length > 0 &&
      node.specifiers.every((specifier) => specifier.type === AST_NODE_TYPES.ImportSpecifier),
  );
}

/** Whether `LockTimeoutError` in scope is locksmith's (imported from the package), not some other class. */
function isLocksmithBinding(variable: TSESLint.Scope.Variable): boolean {
  return variable.defs.some(
    (def) =>
      def.type === 'ImportBinding' &&
      def.parent.type === AST_NODE_TYPES.ImportDeclaration &&
      def.parent.source.value === LOCKSMITH_MODULE,
  );
}
