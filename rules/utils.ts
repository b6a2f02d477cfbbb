import { ESLintUtils } from '@typescript-eslint/utils';
import { mayHaveLocks } from './analysis/index.js';

/** Which of the plugin's configs turns a rule on. `strict` includes everything `recommended` does. */
export type LocksmithConfigName = 'recommended' | 'strict';

/** The plugin-specific part of every rule's `meta.docs`; the configs are built from it. */
export interface LocksmithRuleDocs {
  /** The least strict config that enables the rule (at `'error'`). */
  recommended: LocksmithConfigName;
  /** Whether the rule uses type information when the project provides it (it never requires it). */
  usesTypeInformation?: boolean;
}

/** Where each rule's documentation page lives (kept in the repository, next to the code it documents). */
export const DOCS_BASE_URL = 'https://github.com/locksmith-js/locksmith/blob/main/docs/rules/';

const createNamedRule = ESLintUtils.RuleCreator<LocksmithRuleDocs>((name) => `${DOCS_BASE_URL}${name}.md`);

/**
 * Creates a locksmith rule: `meta.docs.url` points at `docs/rules/<name>.md`. Every locksmith rule reports only
 * what the lock analysis finds, so on a file without locks ({@link mayHaveLocks}) its `create` is not run at
 * all: the rule registers no listener, and builds no state and no options for that file.
 */
export const createRule: typeof createNamedRule = (rule) => {
  const made = createNamedRule(rule);
  return { ...made, create: (context) => (mayHaveLocks(context) ? made.create(context) : {}) };
};
