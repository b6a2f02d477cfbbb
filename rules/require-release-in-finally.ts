import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import {
  getLockAnalysis,
  type Acquisition,
  type CriticalSection,
  type LockMethodCall,
  type Protection,
} from './analysis/index.js';
import { createRule } from './utils.js';

type MessageId =
  | 'noRelease'
  | 'releaseNotInFinally'
  | 'releaseInCatchOnly'
  | 'statementsBeforeTry'
  | 'finallyReleasesOtherLock'
  | 'suggestTryFinally'
  | 'suggestClosure'
  | 'suggestMoveIntoTry';

export default createRule<[], MessageId>({
  name: 'require-release-in-finally',
  meta: {
    type: 'problem',
    docs: {
      description: 'Require an acquired lock to be released in a `finally` that covers its whole critical section',
      recommended: 'recommended',
      usesTypeInformation: true,
    },
    hasSuggestions: true,
    schema: [],
    messages: {
      noRelease:
        'This lock is acquired but never released: it stays held until its TTL expires. Release it in a `finally` (or use the closure form).',
      releaseNotInFinally:
        'This lock is released outside a `finally`: an exception before the release keeps it held until its TTL expires.',
      releaseInCatchOnly:
        'This lock is released only in `catch`: when the critical section succeeds it stays held. Release it in `finally`.',
      statementsBeforeTry:
        'Code runs between acquiring this lock and the `try` whose `finally` releases it: an exception there leaks the lock. Start the `try` right after the acquisition.',
      finallyReleasesOtherLock:
        'The `finally` that follows this acquisition releases a different lock, not this one.',
      suggestTryFinally: 'Wrap the critical section in `try { … } finally { await {{lock}}.release(); }`.',
      suggestMoveIntoTry: 'Move the code before the `try` into it, so that the `finally` covers it too.',
      suggestClosure:
        'Use the closure form `{{method}}(…, async () => { … })`: the lock is released when the closure settles.',
    },
  },
  defaultOptions: [],
  create(context) {
    const { sourceCode } = context;
    return {
      Program() {
        const analysis = getLockAnalysis(context);
        for (const acquisition of analysis.acquisitions) {
          const protection = analysis.protection(acquisition);
          if (protection.kind !== 'unprotected') continue;
          const section = analysis.criticalSection(acquisition);
          context.report({
            node: acquisition.call,
            messageId: protection.problem,
            suggest: section ? suggestionsFor(sourceCode, acquisition, section, protection) : [],
          });
        }
      },
    };
  },
});

/** The rewrites offered for one finding: each only for the simple shapes it cannot get wrong. */
function suggestionsFor(
  sourceCode: Readonly<TSESLint.SourceCode>,
  acquisition: Acquisition,
  section: CriticalSection,
  protection: Extract<Protection, { kind: 'unprotected' }>,
): TSESLint.SuggestionReportDescriptor<MessageId>[] {
  const suggestions: TSESLint.SuggestionReportDescriptor<MessageId>[] = [];
  const { problem } = protection;
  if (problem === 'noRelease' || problem === 'releaseNotInFinally') {
    const fix = tryFinallyFix(sourceCode, acquisition, section, protection.releases);
    const lock = sourceCode.getText(acquisition.receiver);
    if (fix) suggestions.push({ messageId: 'suggestTryFinally', data: { lock }, fix });
  }
  if (problem === 'noRelease') {
    const fix = closureFix(sourceCode, acquisition, section);
    if (fix) suggestions.push({ messageId: 'suggestClosure', data: { method: acquisition.method }, fix });
  }
  if (problem === 'statementsBeforeTry' && protection.tryStatement) {
    const fix = moveIntoTryFix(sourceCode, section, protection.tryStatement);
    if (fix) suggestions.push({ messageId: 'suggestMoveIntoTry', fix });
  }
  return suggestions;
}

/**
 * Rewrites the simple shapes into try/finally: the section's statements (up to a trailing
 * `await lock.release();` directly in it, if any) go into `try`, the release into `finally`.
 */
function tryFinallyFix(
  sourceCode: Readonly<TSESLint.SourceCode>,
  acquisition: Acquisition,
  section: CriticalSection,
  releases: readonly LockMethodCall[],
): TSESLint.ReportFixFunction | undefined {
  if (acquisition.lock.binding === 'chain' || section.kind === 'closure') return undefined;
  if ((section.kind === 'if' || section.kind === 'else') && section.container.type !== AST_NODE_TYPES.BlockStatement) {
    return undefined;
  }
  const statements = section.body as readonly TSESTree.Statement[];
  let end = statements.length;
  let releaseStatement: TSESTree.Statement | undefined;
  if (releases.length > 0) {
    const [release] = releases;
    if (releases.length !== 1 || !release) return undefined;
    const index = statements.findIndex((statement) => isReleaseStatement(statement, release));
    if (index < 0) return undefined;
    end = index;
    releaseStatement = statements[index];
  }
  const wrapped = statements.slice(0, end);
  const first = wrapped[0];
  const last = wrapped[wrapped.length - 1];
  if (!first || !last) return undefined;
  const range: [number, number] = [first.range[0], (releaseStatement ?? last).range[1]];
  if (hasMultilineTemplate(sourceCode, range)) return undefined;

  const lock = sourceCode.getText(acquisition.receiver);
  const body = sourceCode.text.slice(first.range[0], last.range[1]);
  const line = sourceCode.lines[first.loc.start.line - 1] ?? '';
  const indent = /^\s*/.exec(line)?.[0] ?? '';
  const startsLine = indent.length === first.loc.start.column;
  const release = `await ${lock}.release();`;
  let text: string;
  if (!startsLine) {
    text = `try { ${body} } finally { ${release} }`;
  } else {
    const unit = indent.includes('\t') ? '\t' : '  ';
    const reindented = body
      .split('\n')
      .map((text, i) => (i === 0 || text.trim() === '' ? text : unit + text))
      .join('\n');
    text = `try {\n${indent}${unit}${reindented}\n${indent}} finally {\n${indent}${unit}${release}\n${indent}}`;
  }
  return (fixer) => fixer.replaceTextRange(range, text);
}

/**
 * `await lock.block(5); const item = await load(); try { … } finally { … }`: the statements between the start of
 * the section and the releasing `try` move to the start of its block. Only when they are its direct siblings,
 * no comment sits between them and the `try`, and nothing they declare is used after the `try`.
 */
function moveIntoTryFix(
  sourceCode: Readonly<TSESLint.SourceCode>,
  section: CriticalSection,
  tryStatement: TSESTree.TryStatement,
): TSESLint.ReportFixFunction | undefined {
  if (section.kind === 'closure' || section.statement !== section.anchor) return undefined;
  const statements = section.body as readonly TSESTree.Statement[];
  const index = statements.indexOf(tryStatement);
  if (index <= 0) return undefined;
  const moved = statements.slice(0, index);
  const first = moved[0]!;
  const last = moved[moved.length - 1]!;
  const gap = sourceCode.text.slice(last.range[1], tryStatement.range[0]);
  if (gap.trim() !== '' || hasMultilineTemplate(sourceCode, [first.range[0], last.range[1]])) return undefined;
  for (const statement of moved) {
    for (const variable of sourceCode.getDeclaredVariables(statement)) {
      const escapes = variable.references.some(
        (reference) => !contains(tryStatement.block, reference.identifier) && !moved.some((m) => contains(m, reference.identifier)),
      );
      if (escapes) return undefined;
    }
  }
  const line = sourceCode.lines[first.loc.start.line - 1] ?? '';
  const indent = /^\s*/.exec(line)?.[0] ?? '';
  if (indent.length !== first.loc.start.column || first.loc.start.line === tryStatement.loc.start.line) return undefined;
  const unit = indent.includes('\t') ? '\t' : '  ';
  const text = sourceCode.text
    .slice(first.range[0], last.range[1])
    .split('\n')
    .map((part, i) => (i === 0 || part.trim() === '' ? part : unit + part))
    .join('\n');
  const open = tryStatement.block.range[0] + 1;
  return (fixer) => fixer.replaceTextRange([first.range[0], open], `try {\n${indent}${unit}${text}`);
}

function contains(outer: TSESTree.Node, inner: TSESTree.Node): boolean {
  return outer.range[0] <= inner.range[0] && inner.range[1] <= outer.range[1];
}

/**
 * `if (await locks.lock(k, 30).get()) { … }` with no release (a chained lock cannot be released at all) becomes
 * `await locks.lock(k, 30).get(async () => { … });`. Only when the body has no `return`, `break`, `continue`,
 * `yield` or `arguments` whose meaning would change inside a closure, and no `else`.
 */
function closureFix(
  sourceCode: Readonly<TSESLint.SourceCode>,
  acquisition: Acquisition,
  section: CriticalSection,
): TSESLint.ReportFixFunction | undefined {
  const ifStatement = section.anchor;
  if (
    section.kind !== 'if' ||
    acquisition.lock.binding !== 'chain' ||
    ifStatement?.type !== AST_NODE_TYPES.IfStatement ||
    ifStatement.alternate ||
    ifStatement !== section.statement ||
    section.container.type !== AST_NODE_TYPES.BlockStatement
  ) {
    return undefined;
  }
  const test = ifStatement.test;
  if (test.type !== AST_NODE_TYPES.AwaitExpression || test.argument !== acquisition.call) return undefined;
  if (!closureSafe(section.container, sourceCode)) return undefined;
  const { call } = acquisition;
  const args = [...call.arguments.map((arg) => sourceCode.getText(arg)), `async () => ${sourceCode.getText(section.container)}`];
  const text = `await ${sourceCode.getText(call.callee)}(${args.join(', ')});`;
  return (fixer) => fixer.replaceText(ifStatement, text);
}

/** Whether moving `block` into an arrow function keeps its meaning. */
function closureSafe(block: TSESTree.Node, sourceCode: Readonly<TSESLint.SourceCode>): boolean {
  let safe = true;
  const visit = (node: TSESTree.Node, inFunction: boolean, inLoop: boolean): void => {
    if (!safe) return;
    switch (node.type) {
      case AST_NODE_TYPES.ReturnStatement:
      case AST_NODE_TYPES.YieldExpression:
        if (!inFunction) safe = false;
        break;
      case AST_NODE_TYPES.BreakStatement:
      case AST_NODE_TYPES.ContinueStatement:
        if (!inLoop || node.label) safe = false;
        break;
      case AST_NODE_TYPES.Identifier:
        if (node.name === 'arguments' && !inFunction) safe = false;
        break;
      default:
        break;
    }
    const isFunction =
      node.type === AST_NODE_TYPES.FunctionDeclaration ||
      node.type === AST_NODE_TYPES.FunctionExpression ||
      node.type === AST_NODE_TYPES.ArrowFunctionExpression;
    const isLoop =
      node.type === AST_NODE_TYPES.ForStatement ||
      node.type === AST_NODE_TYPES.ForInStatement ||
      node.type === AST_NODE_TYPES.ForOfStatement ||
      node.type === AST_NODE_TYPES.WhileStatement ||
      node.type === AST_NODE_TYPES.DoWhileStatement ||
      node.type === AST_NODE_TYPES.SwitchStatement;
    for (const key of sourceCode.visitorKeys[node.type] ?? []) {
      const child = (node as unknown as Record<string, unknown>)[key];
      for (const item of Array.isArray(child) ? child : [child]) {
        if (item && typeof item === 'object' && typeof (item as { type?: unknown }).type === 'string') {
          visit(item as TSESTree.Node, inFunction || isFunction, (inLoop || isLoop) && !isFunction);
        }
      }
    }
  };
  visit(block, false, false);
  return safe;
}

function isReleaseStatement(statement: TSESTree.Statement, release: LockMethodCall): boolean {
  if (statement.type !== AST_NODE_TYPES.ExpressionStatement) return false;
  let expression: TSESTree.Node = statement.expression;
  if (expression.type === AST_NODE_TYPES.AwaitExpression) expression = expression.argument;
  return expression === release.call;
}

/** Re-indenting would change a template literal that spans lines. Looks at the tokens in `range` only. */
function hasMultilineTemplate(sourceCode: Readonly<TSESLint.SourceCode>, range: [number, number]): boolean {
  const { tokens } = sourceCode.ast;
  // The first token starting at or after range[0] (tokens are in source order).
  let low = 0;
  let high = tokens.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (tokens[middle]!.range[0] < range[0]) low = middle + 1;
    else high = middle;
  }
  for (let index = low; index < tokens.length && tokens[index]!.range[1] <= range[1]; index += 1) {
    const token = tokens[index]!;
    if (token.type === 'Template' && token.loc.start.line !== token.loc.end.line) return true;
  }
  return false;
}
