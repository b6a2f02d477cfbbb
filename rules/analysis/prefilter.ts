/**
 * The fast path: decides from a file's tokens, in one pass and without walking its tree, whether the lock
 * analysis can find anything in it. Most files a project lints take no lock; they cost this check only.
 *
 * The check is exact (a necessary condition, never a guess), because every way the analysis recognises a lock
 * leaves a token whose value names it (values are compared cooked, so `\u0063ache` and `'locksmith\x2djs'`
 * count as what they spell):
 * - a lock module (import, `require`, `import()`, `import x = require(…)`, `import('…').Lock`): its specifier
 *   is a string (or template) token;
 * - a receiver named in `settings.locksmith.lockFactories`: the name is an identifier, private name or string
 *   token, and a creating method (`lock`, `restoreLock`, …) is another;
 * - a receiver named in a library profile's `names` (a redlock manager, a mutex): the name is a token;
 * - with type information a lock or manager can arrive from anywhere (a global declaration, a contextual
 *   type), but the analysis only ever sees it through a call of one of its methods, so the file must contain
 *   a token naming a creating method or a lock method.
 * The argument is spelled out in docs/architecture.md ("The fast path").
 */
import type { TSESLint } from '@typescript-eslint/utils';
import { CREATION_METHODS, lockMethodNames } from './calls.js';
import { ActiveProfiles } from './profiles.js';
import type { LocksmithSettings } from './settings.js';

/** What a file must name for the analysis to find a lock in it. */
export interface LockVocabulary {
  /** Module specifiers whose imports make locks (locksmith's and every enabled profile's). */
  readonly modules: readonly string[];
  /** `settings.locksmith.lockFactories`: managers by name, which make locks through a creating method. */
  readonly factories: readonly string[];
  /** Methods that create a lock on a manager. */
  readonly factoryMethods: readonly string[];
  /** A profile's receiver `names` (a redlock manager, a mutex): a lock source by name alone. */
  readonly names: readonly string[];
  /** Every method through which a typed lock or manager can be seen (used only with type information). */
  readonly typedMethods: readonly string[];
}

/** The vocabulary the analysis follows under `settings` (module list and method names come from the analysis). */
export function lockVocabulary(settings: LocksmithSettings): LockVocabulary {
  return {
    modules: [...new ActiveProfiles(settings).allModules],
    factories: settings.lockFactories,
    factoryMethods: [...CREATION_METHODS],
    names: Object.values(settings.libraries).flatMap((profile) => profile?.names ?? []),
    typedMethods: lockMethodNames(),
  };
}

let enabled = true;

/**
 * Turns the fast path off (every file is analysed) or back on. Internal: the exactness test uses it to lint
 * the same code both ways; it is not part of the plugin's API.
 */
export function setFastPath(on: boolean): void {
  enabled = on;
}

/** Whether the fast path is on. */
export function fastPathEnabled(): boolean {
  return enabled;
}

const WHAT_MODULE = 1;
const WHAT_FACTORY = 2;
const WHAT_FACTORY_METHOD = 4;
const WHAT_TYPED_METHOD = 8;

/**
 * Whether the file may contain a lock, from its text and tokens alone. `false` means the analysis of this file finds no
 * lock creation, lock method call or acquisition (so no rule can report).
 */
export function mayContainLocks(
  text: string,
  tokens: readonly TSESLint.AST.Token[],
  vocabulary: LockVocabulary,
  typed: boolean,
): boolean {
  // Without a backslash in the file no token is escaped: each token's value is a piece of the text, so a name
  // that does not occur in the text cannot be a token's value. Searching the text is much cheaper than
  // touching every token; files with a backslash, or where a name does occur, take the token pass.
  if (!text.includes('\\') && !mayNameLocks(text, vocabulary, typed)) return false;
  const meaning = new Map<string, number>();
  const add = (names: readonly string[], what: number): void => {
    for (const name of names) meaning.set(name, (meaning.get(name) ?? 0) | what);
  };
  add(vocabulary.modules, WHAT_MODULE);
  add(vocabulary.names, WHAT_MODULE);
  add(vocabulary.factories, WHAT_FACTORY);
  add(vocabulary.factoryMethods, WHAT_FACTORY_METHOD);
  if (typed) add(vocabulary.typedMethods, WHAT_TYPED_METHOD);

  let seen = 0;
  const enough = (): boolean =>
    (seen & WHAT_MODULE) !== 0 ||
    (seen & (WHAT_FACTORY | WHAT_FACTORY_METHOD)) === (WHAT_FACTORY | WHAT_FACTORY_METHOD) ||
    (seen & WHAT_TYPED_METHOD) !== 0;

  for (const token of tokens) {
    let value: string;
    switch (token.type) {
      case 'Punctuator':
      case 'Numeric':
      case 'RegularExpression':
      case 'JSXText':
        continue;
      case 'String':
        value = token.value.slice(1, -1);
        break;
      case 'Template':
        value = templateText(token.value);
        break;
      case 'PrivateIdentifier':
        // The analysis spells a private member `#name`; parsers give the token without the `#`.
        seen |= meaningOf(meaning, token.value.startsWith('#') ? token.value : `#${token.value}`);
        if (enough()) return true;
        value = token.value;
        break;
      default:
        // Identifiers, and keywords, which are names too after a dot (`x.default`).
        value = token.value;
        break;
    }
    seen |= meaningOf(meaning, value);
    if (seen !== 0 && enough()) return true;
  }
  return false;
}

/** The token condition below, asked of the whole text: whether the names it needs occur in it at all. */
function mayNameLocks(text: string, vocabulary: LockVocabulary, typed: boolean): boolean {
  const occurs = (names: readonly string[]) => names.some((name) => text.includes(name));
  return (
    occurs(vocabulary.modules) ||
    occurs(vocabulary.names) ||
    (occurs(vocabulary.factories) && occurs(vocabulary.factoryMethods)) ||
    (typed && occurs(vocabulary.typedMethods))
  );
}

function meaningOf(meaning: ReadonlyMap<string, number>, raw: string): number {
  return meaning.get(raw.includes('\\') ? cook(raw) : raw) ?? 0;
}

/** The text of a template token between its delimiters (`` ` `` or `}` … `` ` `` or `${`). */
function templateText(raw: string): string {
  const start = 1;
  const end = raw.endsWith('${') ? raw.length - 2 : raw.length - 1;
  return raw.slice(start, end);
}

const SINGLE_ESCAPES: Readonly<Record<string, string>> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
const ESCAPE = /\\(?:u\{([0-9a-fA-F]+)\}|u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|([0-3][0-7]{0,2}|[4-7][0-7]?)|(\r\n|[\r\n\u2028\u2029])|([\s\S]))/g;

/** The value of string, template or identifier text with escape sequences (as the parser cooks it). */
export function cook(raw: string): string {
  return raw.replace(
    ESCAPE,
    (
      _match,
      codePoint: string | undefined,
      unit: string | undefined,
      hex: string | undefined,
      octal: string | undefined,
      lineBreak: string | undefined,
      other: string | undefined,
    ) => {
      if (codePoint !== undefined) {
        const value = Number.parseInt(codePoint, 16);
        return value <= 0x10ffff ? String.fromCodePoint(value) : '';
      }
      if (unit !== undefined) return String.fromCharCode(Number.parseInt(unit, 16));
      if (hex !== undefined) return String.fromCharCode(Number.parseInt(hex, 16));
      if (octal !== undefined) return String.fromCharCode(Number.parseInt(octal, 8));
      if (lineBreak !== undefined) return '';
      return SINGLE_ESCAPES[other!] ?? other!;
    },
  );
}
