/**
 * Loads what `locksmith lint` runs on: ESLint and the locksmith plugin, which are optional peers of the
 * package. Every way this can fail becomes a {@link SetupError} with one line for a person (exit code 2), never
 * a stack: a CI gate must tell "the set-up is broken" from "lock problems found".
 */
import type { ESLint as ESLintClass } from 'eslint';
import type { LocksmithPlugin } from '../rules/index.js';
import { lintPeerProblem } from '../rules/lint-peers.js';

/** A broken set-up (a missing or unsupported peer, a plugin or config that does not load): exit code 2. */
export class SetupError extends Error {
  override readonly name = 'SetupError';
}

/** The first line of an error's message: enough to act on, without a stack. */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n').find((line) => line.trim() !== '')?.trim() ?? 'unknown error';
}

export interface LintTools {
  readonly ESLint: typeof ESLintClass;
  readonly plugin: LocksmithPlugin;
}

/** Checks the peers, then imports ESLint and the plugin (dynamically, so that their failures land here). */
export async function loadLintTools(): Promise<LintTools> {
  const problem = lintPeerProblem();
  if (problem !== undefined) throw new SetupError(problem);
  let ESLint: typeof ESLintClass;
  try {
    ({ ESLint } = await import('eslint'));
  } catch (error) {
    throw new SetupError(`could not load ESLint: ${firstLine(error)}`);
  }
  try {
    const { default: plugin } = await import('../rules/index.js');
    return { ESLint, plugin };
  } catch (error) {
    throw new SetupError(`could not load the locksmith ESLint plugin: ${firstLine(error)}`);
  }
}
