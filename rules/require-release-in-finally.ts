import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import {
  getLockAnalysis,
  type Acquisition,
  type CriticalSection,
  type LockMethodCall,
  type Protection,
} from './analysis/index.js';
import { heldUntil, releaseStatement } from './analysis/wording.js';
import { childNodes, contains, indentUnit, isFunction, isLoop, lineIndent, methodCallLoc, reindent } from './analysis/ast.js';
import { createRule } from './utils.js';

export type Options = [];
export type MessageIds =
  | 'noRelease'
  | 'notReleasedOnExit'
  | 'releaseNotInFinally'
  | 'releaseInCatchOnly'
  | 'statementsBeforeTry'
  | 'finallyReleasesOtherLock'
  | 'suggestTryFinally'
  | 'suggestClosure'
  | 'suggestMoveIntoTry';

export default createRule<[], MessageIds>({
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
    defaultOptions: [],
    messages: {
      noRelease:
        'This lock is acquired but never released: it stays held {{held}}. Release it in a `finally` (or use the closure form).',
      notReleasedOnExit:
        'This lock is never released when the code leaves at line {{line}} (`{{exit}}`) before the release: it stays held {{held}}. Release it in a `finally`.',
      releaseNotInFinally:
        'This lock is released outside a `finally`: an exception before the release keeps it held {{held}}.',
      releaseInCatchOnly:
        'This lock is released only in `catch`: when the critical section succeeds it stays held. Release it in `finally`.',
      statementsBeforeTry:
        'Code runs between acquiring this lock and the `try` whose `finally` releases it: an exception there leaks the lock. Start the `try` right after the acquisition.',
      finallyReleasesOtherLock:
        'The `finally` that follows this acquisition releases a different lock, not this one.',
      suggestTryFinally: 'Wrap the critical section in `try { … } finally { {{release}} }`.',
      suggestMoveIntoTry: 'Move the code before the `try` into it, so that the `finally` covers it too.',
      suggestClosure:
        'Use the closure form `{{method}}(…, async () => { … })`: the lock is released when the closure settles.',
    },
  },
  create(context) {
    const { sourceCode } = context;
    return {
      'Program:exit'() {
        const analysis = getLockAnalysis(context);
        for (const acquisition of analysis.acquisitions) {
          const protection = analysis.protection(acquisition);
          if (protection.kind !== 'unprotected') continue;
          const section = analysis.criticalSection(acquisition);
          const exit = protection.exit;
          context.report({
            loc: methodCallLoc(acquisition.call),
            messageId: protection.problem,
            data: {
              held: heldUntil(acquisition.library),
              ...(exit ? { line: exit.loc.start.line, exit: sourceCode.getFirstToken(exit)?.value ?? exit.type } : {}),
            },
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
): TSESLint.SuggestionReportDescriptor<MessageIds>[] {
  const suggestions: TSESLint.SuggestionReportDescriptor<MessageIds>[] = [];
  const { problem } = protection;
  if (problem === 'noRelease' || problem === 'releaseNotInFinally') {
    const release = releaseText(sourceCode, acquisition);
    const fix = release ? tryFinallyFix(sourceCode, acquisition, section, protection.releases, release) : undefined;
    if (fix && release) suggestions.push({ messageId: 'suggestTryFinally', data: { release }, fix });
  }
  if (problem === 'noRelease' && acquisition.library === 'locksmith') {
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
  release: string,
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

  const body = sourceCode.text.slice(first.range[0], last.range[1]);
  const indent = lineIndent(sourceCode.lines, first);
  const startsLine = indent.length === first.loc.start.column;
  let text: string;
  if (!startsLine) {
    text = `try { ${body} } finally { ${release} }`;
  } else {
    const unit = indentUnit(indent);
    text = `try {\n${indent}${unit}${reindent(body, unit)}\n${indent}} finally {\n${indent}${unit}${release}\n${indent}}`;
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
  const indent = lineIndent(sourceCode.lines, first);
  if (indent.length !== first.loc.start.column || first.loc.start.line === tryStatement.loc.start.line) return undefined;
  const unit = indentUnit(indent);
  const text = reindent(sourceCode.text.slice(first.range[0], last.range[1]), unit);
  const open = tryStatement.block.range[0] + 1;
  return (fixer) => fixer.replaceTextRange([first.range[0], open], `try {\n${indent}${unit}${text}`);
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
    const fn = isFunction(node);
    // An unlabelled `break` inside a `switch` leaves the switch, not the closure.
    const breakable = isLoop(node) || node.type === AST_NODE_TYPES.SwitchStatement;
    for (const child of childNodes(node, sourceCode.visitorKeys)) {
      visit(child, inFunction || fn, (inLoop || breakable) && !fn);
    }
  };
  visit(block, false, false);
  return safe;
}

/**
 * The statement that releases the acquisition's lock, as the library writes it; `undefined` when the code holds
 * no name for the lock (redlock's lock not stored in a variable).
 */
function releaseText(sourceCode: Readonly<TSESLint.SourceCode>, acquisition: Acquisition): string | undefined {
  const { library, lock } = acquisition;
  if (library === 'redlock') {
    return lock.variable ? releaseStatement(library, lock.variable.name, undefined) : undefined;
  }
  return releaseStatement(library, sourceCode.getText(acquisition.receiver), acquisition.handle?.name);
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
