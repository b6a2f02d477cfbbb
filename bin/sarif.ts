/**
 * ESLint results as a SARIF 2.1.0 log (for code-scanning uploads), written here rather than through
 * `@microsoft/eslint-formatter-sarif`, which depends on ESLint 8: a SARIF report must not install a second,
 * end-of-life ESLint next to the project's own. Types from `@types/sarif`; the log is checked against the
 * official schema in the tests.
 */
import { relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ESLint, Rule } from 'eslint';
import type { Log, ReportingDescriptor, Result } from 'sarif';

const SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/** Where the tool's documentation lives (`tool.driver.informationUri`). */
export const INFORMATION_URI = 'https://github.com/locksmith-js/locksmith';

/** The base every result's file URI is relative to, as code-scanning services expect. */
const SOURCE_ROOT = '%SRCROOT%';

function descriptor(id: string, meta: Rule.RuleMetaData | undefined): ReportingDescriptor {
  const rule: ReportingDescriptor = { id };
  if (meta?.docs?.description) rule.shortDescription = { text: meta.docs.description };
  if (meta?.docs?.url) rule.helpUri = meta.docs.url;
  return rule;
}

/** The SARIF log of one lint run; `rulesMeta` is ESLint's `getRulesMetaForResults(results)`. */
export function toSarif(
  results: readonly ESLint.LintResult[],
  rulesMeta: Readonly<Record<string, Rule.RuleMetaData>>,
  tool: { readonly version: string; readonly cwd: string },
): Log {
  const rules: ReportingDescriptor[] = [];
  const ruleIndex = new Map<string, number>();
  const sarifResults: Result[] = [];
  for (const result of results) {
    const uri = relative(tool.cwd, result.filePath).split(sep).map(encodeURIComponent).join('/');
    for (const message of result.messages) {
      const sarif: Result = {
        level: message.severity === 2 ? 'error' : 'warning',
        message: { text: message.message },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri, uriBaseId: SOURCE_ROOT },
              region: {
                startLine: Math.max(message.line, 1),
                startColumn: Math.max(message.column, 1),
                ...(message.endLine !== undefined ? { endLine: message.endLine } : {}),
                ...(message.endColumn !== undefined ? { endColumn: message.endColumn } : {}),
              },
            },
          },
        ],
      };
      if (message.ruleId !== null) {
        let index = ruleIndex.get(message.ruleId);
        if (index === undefined) {
          index = rules.push(descriptor(message.ruleId, rulesMeta[message.ruleId])) - 1;
          ruleIndex.set(message.ruleId, index);
        }
        sarif.ruleId = message.ruleId;
        sarif.ruleIndex = index;
      }
      sarifResults.push(sarif);
    }
  }
  return {
    $schema: SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'locksmith', version: tool.version, informationUri: INFORMATION_URI, rules } },
        originalUriBaseIds: { [SOURCE_ROOT]: { uri: pathToFileURL(tool.cwd + sep).href } },
        results: sarifResults,
      },
    ],
  };
}
