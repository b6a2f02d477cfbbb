/**
 * The fast path: decides from a file's text and the few tokens it points at, without walking its tree or
 * reading every token, whether the lock analysis can find anything in it. Most files a project lints take no
 * lock; they cost this check only.
 *
 * The check is exact (a necessary condition, never a guess), because every way the analysis recognises a lock
 * leaves a token whose value names it (values are compared cooked, so `\u0063ache` and `'locksmith\x2djs'`
 * count as what they spell):
 * - a lock module (import, `require`, `import()`, `import x = require(…)`, `import('…').Lock`): its specifier
 *   is a string (or template) token;
 * - a receiver named in `settings.locksmith.lockFactories`: the name is an identifier, private name or string
 *   token, and one of locksmith's creating methods (`lock`, `restoreLock`) is another;
 * - a receiver named in a library profile's `names` (a redlock manager, a mutex): the name is a token;
 * - with type information a lock or manager can arrive from anywhere (a global declaration, a contextual
 *   type), but the analysis only ever sees it through a call of one of its methods, so the file must contain
 *   a token naming a creating method or a lock method.
 * The argument is spelled out in docs/architecture.md ("The fast path").
 */
import type { TSESLint } from '@typescript-eslint/utils';
import { LOCKSMITH_CREATION_METHODS, lockMethodNames } from './calls.js';
import { cachedByIdentity } from './identity-cache.js';
import { ActiveProfiles } from './profiles.js';
import { readSettings, type LocksmithSettings } from './settings.js';

/** What a file must name for the analysis to find a lock in it. */
export interface LockVocabulary {
  /** Module specifiers whose imports make locks (locksmith's and every enabled profile's). */
  readonly modules: readonly string[];
  /** `settings.locksmith.lockFactories`: managers by name, which make locks through a creating method. */
  readonly factories: readonly string[];
  /**
   * The methods by which a factory-named manager creates a lock. A factory name stands for a locksmith manager
   * (`ActiveProfiles.libraryOfName`), so only locksmith's creating methods count (`callCreation` in `calls.ts`).
   */
  readonly factoryMethods: readonly string[];
  /** A profile's receiver `names` (a redlock manager, a mutex): a lock source by name alone. */
  readonly names: readonly string[];
  /** Every method through which a typed lock or manager can be seen (used only with type information). */
  readonly typedMethods: readonly string[];
}

/**
 * The vocabulary the analysis follows under `settings` (module list and method names come from the analysis),
 * made once per settings object: ESLint hands every file of a config the same one.
 */
export const lockVocabulary: (settings: LocksmithSettings) => LockVocabulary = cachedByIdentity((settings) => ({
  modules: [...new ActiveProfiles(settings).allModules],
  factories: settings.lockFactories,
  factoryMethods: [...LOCKSMITH_CREATION_METHODS],
  names: Object.values(settings.libraries).flatMap((profile) => profile?.names ?? []),
  typedMethods: lockMethodNames(),
}));

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
 * Printable ASCII characters from the most to the least frequent in JavaScript sources. Only speed depends on
 * it: the text search for a name starts at its least frequent character, which the engine finds with a
 * byte scan, and checks the rest of the name around each hit.
 */
const CHARACTERS_BY_FREQUENCY = 'etrnosialc-dpu.mfh()=g";,{}/ybv*kx:wTSE_CAIPRNO[]D`&ML0\'F|1@jBU!$>?+q\\2GHWVz3K<QY4865J9%^7X#Z~';

/** One name of the vocabulary and what it means (`WHAT_*` bits; a name can mean several things). */
interface Entry {
  readonly name: string;
  readonly what: number;
  /** Where in `name` what its text search looks for starts (see {@link Scan}). */
  readonly anchorAt: number;
}

/**
 * One search of the text: every occurrence of `anchor` (a single character, which the engine finds with a
 * byte scan, or a few characters of a name) is checked against the names that contain it at their `anchorAt`. Names share a
 * scan when they share a rare character (`k` in `lock`, `redlock` and `locksmith-js`).
 */
interface Scan {
  readonly anchor: string;
  readonly entries: readonly Entry[];
  /**
   * The character code every entry has right before the anchor (-1: they differ, or one starts with it): an
   * occurrence preceded by anything else is no entry's (most `k`s of a text follow no `c`).
   */
  readonly before: number;
}

/** The vocabulary as the checks read it. */
export interface Matcher {
  /**
   * The text searches for every name but the factories, then for those: a factory name counts only next to a
   * creating method, which few files have, so most files never search for the (frequent) factory names.
   */
  readonly scans: readonly Scan[];
  readonly factoryScans: readonly Scan[];
  /** Whether some name is empty (the value of `''`): then the text search cannot rule a file out. */
  readonly emptyName: boolean;
  /** The names by length: most tokens have a length no name has and are rejected on that alone. */
  readonly byLength: readonly (readonly Entry[] | undefined)[];
  /** The length of the shortest name. */
  readonly shortest: number;
  /** Every character code of every name. */
  readonly alphabet: ReadonlySet<number>;
  /** The first look ({@link mayNameAny}): `scans` flattened. */
  readonly screen: readonly ScreenScan[];
  /**
   * For each ASCII character after a backslash: 0 when the escape spells no character of any name, 1 when it
   * may, 2 when the characters after it tell ({@link escapedUnit}: `\0`, `\u`, `\x`); characters from 128 on
   * are looked up when met.
   */
  readonly escapeMayName: Uint8Array;
}

/** One scan of {@link Matcher.scans} as the first look reads it. */
interface ScreenScan {
  readonly anchor: string;
  readonly before: number;
  readonly entries: readonly ScreenEntry[];
}

/** A name of a {@link ScreenScan}: where its anchor sits in it, and the character right after the anchor. */
interface ScreenEntry {
  readonly name: string;
  readonly anchorAt: number;
  /** The character code that follows the anchor in `name`; -1 when the anchor ends it (a word boundary then). */
  readonly after: number;
}

const matchers = cachedByIdentity((_: LockVocabulary): { untyped?: Matcher; typed?: Matcher } => ({}));

function matcherFor(vocabulary: LockVocabulary, typed: boolean): Matcher {
  const made = matchers(vocabulary);
  return typed ? (made.typed ??= compile(vocabulary, true)) : (made.untyped ??= compile(vocabulary, false));
}

function compile(vocabulary: LockVocabulary, typed: boolean): Matcher {
  const meaning = new Map<string, number>();
  const add = (names: readonly string[], what: number): void => {
    for (const name of names) meaning.set(name, (meaning.get(name) ?? 0) | what);
  };
  add(vocabulary.modules, WHAT_MODULE);
  add(vocabulary.names, WHAT_MODULE);
  add(vocabulary.factories, WHAT_FACTORY);
  add(vocabulary.factoryMethods, WHAT_FACTORY_METHOD);
  if (typed) add(vocabulary.typedMethods, WHAT_TYPED_METHOD);
  const entries: Entry[] = [];
  const scans = new Map<string, Entry[]>();
  const factoryScans = new Map<string, Entry[]>();
  // Shorter names first: they have fewer characters to choose from, and a longer name then joins their scans.
  for (const [name, what] of [...meaning].sort(([a], [b]) => a.length - b.length)) {
    if (name === '') {
      // The value of `''`: no text search can rule it out (see `emptyName`); the token pass compares it.
      entries.push({ name, what, anchorAt: 0 });
      continue;
    }
    const groups = what === WHAT_FACTORY ? factoryScans : scans;
    const { anchor, at: anchorAt } = anchorOf(name, groups);
    const entry: Entry = { name, what, anchorAt };
    entries.push(entry);
    groups.set(anchor, [...(groups.get(anchor) ?? []), entry]);
  }
  const asScans = (groups: Map<string, Entry[]>): Scan[] =>
    [...groups].map(([anchor, group]) => {
      const befores = new Set(group.map((entry) => (entry.anchorAt === 0 ? -1 : entry.name.charCodeAt(entry.anchorAt - 1))));
      return { anchor, entries: group, before: befores.size === 1 ? [...befores][0]! : -1 };
    });
  const byLength: Entry[][] = [];
  for (const entry of entries) (byLength[entry.name.length] ??= []).push(entry);
  const alphabet = new Set<number>();
  for (const { name } of entries) for (let index = 0; index < name.length; index += 1) alphabet.add(name.charCodeAt(index));
  const mainScans = asScans(scans);
  const escapeMayName = new Uint8Array(128);
  for (let code = 0; code < 128; code += 1) escapeMayName[code] = escapeMaySpell(code, alphabet) ? 1 : 0;
  // What these stand for is read off the characters after them.
  for (const code of [0x30, 0x75, 0x78]) escapeMayName[code] = 2;
  return {
    screen: mainScans.map(({ anchor, before, entries: group }) => ({
      anchor,
      before,
      entries: group.map(({ name, anchorAt }) => {
        const end = anchorAt + anchor.length;
        return { name, anchorAt, after: end < name.length ? name.charCodeAt(end) : -1 };
      }),
    })),
    escapeMayName,
    scans: mainScans,
    factoryScans: asScans(factoryScans),
    emptyName: meaning.has(''),
    byLength,
    shortest: Math.min(...entries.map((entry) => entry.name.length)),
    alphabet,
  };
}

/**
 * What `name`'s text search looks for, and where in `name` it starts: its least frequent character, or a
 * nearly as rare one that another name's search already looks for (one scan then serves both); when every
 * character of it is frequent, a few characters from the rarest on (see {@link RARE_ENOUGH_TO_SHARE}).
 */
function anchorOf(name: string, groups: ReadonlyMap<string, unknown>): { anchor: string; at: number } {
  let at = 0;
  let best = -1;
  for (let index = 0; index < name.length; index += 1) {
    const character = name.charAt(index);
    const found = CHARACTERS_BY_FREQUENCY.indexOf(character);
    // A character missing from the list is rarer than all of it.
    const rank = found === -1 ? CHARACTERS_BY_FREQUENCY.length : found;
    const rarity = rank + (groups.has(character) && rank >= RARE_ENOUGH_TO_SHARE ? SHARED_SCAN_BONUS : 0);
    if (rarity > best) {
      best = rarity;
      at = index;
    }
  }
  if (best >= RARE_ENOUGH_TO_SHARE) return { anchor: name.charAt(at), at };
  const start = Math.max(0, Math.min(at, name.length - ANCHOR_LENGTH));
  return { anchor: name.slice(start, start + ANCHOR_LENGTH), at: start };
}

/**
 * How much rarer (in places of {@link CHARACTERS_BY_FREQUENCY}) a character must be to be worth a scan of its
 * own, when a rare one of the name is already searched for. (Sharing the scan of a frequent character saves
 * little: each of its many occurrences is then checked against more names.)
 */
const SHARED_SCAN_BONUS = 30;
/**
 * The most frequent character worth a scan of its own. A name without one is searched for by a few characters
 * from its rarest one on, which the engine's substring search matches natively, not by every occurrence of a
 * frequent character.
 */
const RARE_ENOUGH_TO_SHARE = CHARACTERS_BY_FREQUENCY.indexOf('k');
const ANCHOR_LENGTH = 3;

/**
 * Whether the escape sequence at `at` (a backslash) may stand for a character of `alphabet`: what it stands for
 * is read off the text when it can be (`\n`, `\-`, `\x1B`, `\u2028`, `\u{41}`, a lone `\0`), and it may when
 * it cannot (line continuations, other octal escapes, malformed sequences).
 */
function escapeMaySpellAt(text: string, at: number, alphabet: ReadonlySet<number>): boolean {
  const unit = escapedUnit(text, at);
  return unit === -1 || alphabet.has(unit);
}

/** The one UTF-16 code unit the escape sequence at `at` stands for; -1 when that is not read off the text alone. */
function escapedUnit(text: string, at: number): number {
  const code = text.charCodeAt(at + 1);
  switch (code) {
    case 0x78: // \xHH
      return hexValue(text, at + 2, at + 4);
    case 0x75: {
      // \uHHHH or \u{H…}: a code point above U+FFFF is two units (-1: either may be a name's).
      if (text.charCodeAt(at + 2) !== 0x7b) return hexValue(text, at + 2, at + 6);
      // (Leading zeros make a valid escape of any length: past a dozen digits it is left to the verdict.)
      const close = text.indexOf('}', at + 3);
      const value = close === -1 || close - at > 16 ? -1 : hexValue(text, at + 3, close);
      return value > 0xffff ? -1 : value;
    }
    case 0x30: {
      // `\0` not followed by a digit is U+0000; followed by one it is an octal escape (or an error).
      const next = text.charCodeAt(at + 2);
      return next >= 0x30 && next <= 0x39 ? -1 : 0;
    }
    default:
      return singleEscape(code);
  }
}

/** The value of the hexadecimal digits `text.slice(start, end)` (at least one); -1 if any is not one. */
function hexValue(text: string, start: number, end: number): number {
  if (end <= start) return -1;
  let value = 0;
  for (let index = start; index < end; index += 1) {
    const code = text.charCodeAt(index);
    const digit =
      code >= 0x30 && code <= 0x39 ? code - 0x30 : code >= 0x61 && code <= 0x66 ? code - 0x57 : code >= 0x41 && code <= 0x46 ? code - 0x37 : -1;
    if (digit === -1) return -1;
    value = value * 16 + digit;
  }
  return value;
}

/** Whether a backslash followed by `code` may start an escape that spells a character of `alphabet`, from `code` alone. */
function escapeMaySpell(code: number, alphabet: ReadonlySet<number>): boolean {
  const escaped = singleEscape(code);
  return escaped === -1 || alphabet.has(escaped);
}

/**
 * The first look: `false` when no token of the file can have a name of the vocabulary as its value, so that
 * {@link prefilterVerdict} is `'none'`; `true` means "look closer" (most lock-free files never get there). It
 * asks less than the verdict does: no name occurs in the text as a whole word ({@link wholeWordAt}) at an
 * anchor of `Matcher.scans` (factory names alone are never enough: the verdict searches them only after a
 * creating method), and no escape that may spell a name's character sits in a token whose value can be a
 * name (regular expressions, numbers and punctuators cannot: `\d` in a pattern is most backslashes of a
 * file). Kept small and apart from the verdict on purpose: it runs once for every file a project lints, and
 * on a lock-free file its cost is mostly its own code and data being cold after the parse.
 */
export function mayNameAny(text: string, tokens: readonly TSESLint.AST.Token[], matcher: Matcher): boolean {
  if (matcher.emptyName) return true;
  const { escapeMayName } = matcher;
  let index = 0;
  for (let at = text.indexOf('\\'); at !== -1; ) {
    const code = text.charCodeAt(at + 1);
    const may = code < 128 ? escapeMayName[code] : escapeMaySpell(code, matcher.alphabet) ? 1 : 0;
    if (may === 0 || (may === 2 && !escapeMaySpellAt(text, at, matcher.alphabet))) {
      at = text.indexOf('\\', at + 2);
      continue;
    }
    index = lastTokenStartingAtOrBefore(tokens, at, Math.max(index, 0));
    const token = tokens[index];
    if (token === undefined || at >= token.range[1]) {
      // In a comment or whitespace: on to the next token.
      at = text.indexOf('\\', tokens[index + 1]?.range[0] ?? text.length);
      continue;
    }
    const type = token.type;
    if (type !== 'RegularExpression' && type !== 'Punctuator' && type !== 'Numeric' && type !== 'JSXText') return true;
    at = text.indexOf('\\', token.range[1]);
  }
  const screen = matcher.screen;
  for (let scan = 0; scan < screen.length; scan += 1) {
    const { anchor, before, entries } = screen[scan]!;
    for (let at = text.indexOf(anchor); at !== -1; at = text.indexOf(anchor, at + 1)) {
      if (before !== -1 && text.charCodeAt(at - 1) !== before) continue;
      const next = text.charCodeAt(at + anchor.length);
      for (let entry = 0; entry < entries.length; entry += 1) {
        const { name, anchorAt, after } = entries[entry]!;
        if (after === -1 ? isWordCharacter(next) : next !== after) continue;
        const start = at - anchorAt;
        if (
          start >= 0 &&
          !isWordCharacter(text.charCodeAt(start - 1)) &&
          text.startsWith(name, start) &&
          !isWordCharacter(text.charCodeAt(start + name.length))
        ) {
          return true;
        }
      }
    }
  }
  return false;
}

/**
 * The matcher for a file linted under the settings object `settings` (ESLint's, whole), with or without type
 * information. A config without `settings.locksmith` (most) gets the defaults' matchers with no lookup at all.
 */
export function matcherOf(settings: Readonly<Record<string, unknown>> | undefined, typed: boolean): Matcher {
  const own = settings?.['locksmith'];
  if (typeof own !== 'object' || own === null) {
    if (typed) return (defaultTyped ??= matcherFor(lockVocabulary(readSettings(undefined)), true));
    return (defaultUntyped ??= matcherFor(lockVocabulary(readSettings(undefined)), false));
  }
  return matcherFor(lockVocabulary(readSettings(settings)), typed);
}

let defaultUntyped: Matcher | undefined;
let defaultTyped: Matcher | undefined;

/** Whether what has been seen so far is enough for the analysis to find a lock. */
function enough(seen: number): boolean {
  return (
    (seen & WHAT_MODULE) !== 0 ||
    (seen & (WHAT_FACTORY | WHAT_FACTORY_METHOD)) === (WHAT_FACTORY | WHAT_FACTORY_METHOD) ||
    (seen & WHAT_TYPED_METHOD) !== 0
  );
}

/**
 * What the tokens of a file say about its locks:
 * - `none`: the analysis of this file finds no lock creation, lock method call or acquisition (no rule can
 *   report);
 * - `factory-calls`: the only way it can find one is a creating method called on a receiver that is a locksmith
 *   manager by a factory name: the file names no lock module, no profile receiver name and (with type
 *   information) no lock method (`factory-calls.ts` then settles it from those calls);
 * - `maybe`: anything else.
 */
export type PrefilterVerdict = 'none' | 'factory-calls' | 'maybe';

/**
 * Whether the file may contain a lock, from its text and tokens alone. `false` means the analysis of this file
 * finds no lock creation, lock method call or acquisition (so no rule can report).
 */
export function mayContainLocks(
  text: string,
  tokens: readonly TSESLint.AST.Token[],
  vocabulary: LockVocabulary,
  typed: boolean,
): boolean {
  return prefilterVerdict(text, tokens, vocabulary, typed) !== 'none';
}

/**
 * What the file's tokens say about its locks ({@link PrefilterVerdict}), found without reading every token:
 * 1. the tokens with a backslash in them, the only ones whose value is not their own text, are found from the
 *    backslashes of the text and read cooked;
 * 2. every other token's value is a piece of the text not preceded or followed by a letter or `_` (the
 *    neighbours of a name, a string's quotes, a template's delimiters, a private name's `#`), so the text is
 *    searched for each name, and only the token at each place the name occurs that way is read (a name in a
 *    comment, or inside a longer string, is no token's value).
 */
export function prefilterVerdict(
  text: string,
  tokens: readonly TSESLint.AST.Token[],
  vocabulary: LockVocabulary,
  typed: boolean,
): PrefilterVerdict {
  return prefilterDecision(text, tokens, vocabulary, typed).verdict;
}

/**
 * {@link prefilterVerdict}, and for a `factory-calls` file the tokens of its creating methods (those of
 * {@link creatingMethodTokens}) when the same search found them all (else `undefined`: ask that function).
 */
export function prefilterDecision(
  text: string,
  tokens: readonly TSESLint.AST.Token[],
  vocabulary: LockVocabulary,
  typed: boolean,
): { verdict: PrefilterVerdict; creatingMethods?: TSESLint.AST.Token[] } {
  const matcher = matcherFor(vocabulary, typed);
  const escapes = text.includes('\\');
  if (matcher.emptyName) {
    // The value of `''` has no text to search for: every token is read (and the verdict is never narrowed).
    let seen = 0;
    for (const token of tokens) {
      seen |= tokenMeaning(token, matcher, escapes);
      if (seen !== 0 && enough(seen)) return { verdict: 'maybe' };
    }
    return { verdict: 'none' };
  }
  // A creating method's token, met on the way: while nothing is enough, the search reads every one (the
  // factory-calls check needs them all), so a verdict reached after it needs no search of its own for them.
  const creating = new Set<TSESLint.AST.Token>();
  let seen = escapes ? escapedMeaning(text, tokens, matcher, creating) : 0;
  seen = scanText(text, tokens, matcher, matcher.scans, escapes, seen, 0, creating);
  if (!enough(seen)) {
    // The search for every name but the factories ran to the end without finding enough: no module, profile
    // name or typed method (each is enough alone). Factory names count only next to a creating method, which
    // few files have, so most files never search for the (frequent) factory names.
    if ((seen & WHAT_FACTORY_METHOD) === 0) return { verdict: 'none' };
    seen = scanText(text, tokens, matcher, matcher.factoryScans, escapes, seen);
    return enough(seen) ? { verdict: 'factory-calls', creatingMethods: [...creating] } : { verdict: 'none' };
  }
  if ((seen & BROAD) !== 0) return { verdict: 'maybe' };
  // Enough through a factory and a creating method before the search ended (a factory name that is also a
  // creating method, or escaped tokens): finish it for the other names.
  seen = scanText(text, tokens, matcher, matcher.scans, escapes, seen, BROAD);
  return { verdict: (seen & BROAD) !== 0 ? 'maybe' : 'factory-calls' };
}

/** What makes a file worth analysing whatever its factory calls: a lock module or profile name, a typed method. */
const BROAD = WHAT_MODULE | WHAT_TYPED_METHOD;

/**
 * Every token whose cooked value is one of locksmith's creating methods (`lock`, `restoreLock`), in no
 * particular order: the property of every `x.lock(…)`, `x['lock'](…)`, `` x[`lock`](…) `` is one of them.
 */
export function creatingMethodTokens(
  text: string,
  tokens: readonly TSESLint.AST.Token[],
  vocabulary: LockVocabulary,
): TSESLint.AST.Token[] {
  const matcher = matcherFor(vocabulary, false);
  const found = new Set<TSESLint.AST.Token>();
  const consider = (token: TSESLint.AST.Token | undefined, escapes: boolean): void => {
    if (token && (tokenMeaning(token, matcher, escapes) & WHAT_FACTORY_METHOD) !== 0) found.add(token);
  };
  const escapes = text.includes('\\');
  if (matcher.emptyName) {
    for (const token of tokens) consider(token, escapes);
    return [...found];
  }
  if (escapes) forEachEscapedToken(text, tokens, matcher, (token) => consider(token, true));
  for (const { anchor, entries } of [...matcher.scans, ...matcher.factoryScans]) {
    const methods = entries.filter((entry) => (entry.what & WHAT_FACTORY_METHOD) !== 0);
    if (methods.length === 0) continue;
    for (let at = text.indexOf(anchor); at !== -1; at = text.indexOf(anchor, at + 1)) {
      for (const entry of methods) {
        const start = wholeWordAt(text, entry, at);
        if (start !== -1) consider(tokenCovering(tokens, start), escapes);
      }
    }
  }
  return [...found];
}

/** Where `entry`'s name starts when the text holds it as a whole word around the anchor hit `at`; -1 if not. */
function wholeWordAt(text: string, entry: Entry, at: number): number {
  const start = at - entry.anchorAt;
  return start >= 0 &&
    text.startsWith(entry.name, start) &&
    !isWordCharacter(text.charCodeAt(start - 1)) &&
    !isWordCharacter(text.charCodeAt(start + entry.name.length))
    ? start
    : -1;
}

/** The token the text offset `start` lies in, if any (none: whitespace or a comment). */
function tokenCovering(tokens: readonly TSESLint.AST.Token[], start: number): TSESLint.AST.Token | undefined {
  const token = tokens[lastTokenStartingAtOrBefore(tokens, start, 0)];
  return token && start < token.range[1] ? token : undefined;
}

/** What the tokens spelled with a backslash mean, together; those that are a creating method go to `creating`. */
function escapedMeaning(
  text: string,
  tokens: readonly TSESLint.AST.Token[],
  matcher: Matcher,
  creating: Set<TSESLint.AST.Token>,
): number {
  let seen = 0;
  forEachEscapedToken(text, tokens, matcher, (token) => {
    const meaning = tokenMeaning(token, matcher, true);
    if ((meaning & WHAT_FACTORY_METHOD) !== 0) creating.add(token);
    seen |= meaning;
  });
  return seen;
}

/** Calls `visit` with every token holding an escape that may stand for a character of some name. */
function forEachEscapedToken(
  text: string,
  tokens: readonly TSESLint.AST.Token[],
  matcher: Matcher,
  visit: (token: TSESLint.AST.Token) => void,
): void {
  let index = -1;
  for (let at = text.indexOf('\\'); at !== -1; ) {
    if (!escapeMaySpellAt(text, at, matcher.alphabet)) {
      // Whatever holds this escape, it stands for a character no name has: no value with it is a name. (`\\`
      // is skipped whole, so the next backslash found starts an escape of its own.)
      at = text.indexOf('\\', at + 2);
      continue;
    }
    index = lastTokenStartingAtOrBefore(tokens, at, Math.max(index, 0));
    const token = tokens[index];
    let next: number;
    if (token && at < token.range[1]) {
      visit(token);
      next = token.range[1];
    } else {
      // A comment or whitespace, up to the next token.
      next = tokens[index + 1]?.range[0] ?? text.length;
    }
    at = text.indexOf('\\', next);
  }
}

/**
 * The character an escape sequence whose first character after the backslash is `code` stands for, when that
 * character alone decides it (`\n`, `\\`, `\-`); -1 for `\u`, `\x`, octal escapes and line continuations.
 */
function singleEscape(code: number): number {
  switch (code) {
    case 0x62: return 0x08; // \b
    case 0x66: return 0x0c; // \f
    case 0x6e: return 0x0a; // \n
    case 0x72: return 0x0d; // \r
    case 0x74: return 0x09; // \t
    case 0x76: return 0x0b; // \v
    case 0x75: // \u
    case 0x78: // \x
    case 0x0a:
    case 0x0d:
    case 0x2028:
    case 0x2029:
      return -1;
    default:
      // Octal escapes (`\0` to `\7`) cook to another character; `\8`, `\9` and every other character to itself.
      return (code >= 0x30 && code <= 0x37) || Number.isNaN(code) ? -1 : code;
  }
}

/** The index of the last token that starts at or before `offset` (-1: none), searching from `low` on. */
function lastTokenStartingAtOrBefore(tokens: readonly TSESLint.AST.Token[], offset: number, low: number): number {
  let high = tokens.length - 1;
  let found = low - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    if (tokens[middle]!.range[0] <= offset) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found;
}

function scanText(
  text: string,
  tokens: readonly TSESLint.AST.Token[],
  matcher: Matcher,
  scans: readonly Scan[],
  escapes: boolean,
  seen: number,
  /** Stop once one of these bits is seen; 0: once what is seen is {@link enough}. */
  goal = 0,
  /** Where to put every creating method's token met (each is read then, not only the first). */
  creating?: Set<TSESLint.AST.Token>,
): number {
  const reached = (what: number): boolean => (goal === 0 ? enough(what) : (what & goal) !== 0);
  for (const { anchor, entries, before } of scans) {
    const wanted = goal === 0 ? entries : entries.filter((entry) => (entry.what & goal) !== 0);
    if (wanted.length === 0) continue;
    for (let at = text.indexOf(anchor); at !== -1; at = text.indexOf(anchor, at + 1)) {
      if (before !== -1 && text.charCodeAt(at - 1) !== before) continue;
      for (const entry of wanted) {
        const collect = creating !== undefined && (entry.what & WHAT_FACTORY_METHOD) !== 0;
        if (!collect && (entry.what & ~seen) === 0) continue;
        const start = wholeWordAt(text, entry, at);
        if (start !== -1) {
          // The token this occurrence is part of, if any, and what its whole value means.
          const token = tokenCovering(tokens, start);
          if (token) {
            const meaning = tokenMeaning(token, matcher, escapes);
            if (collect && (meaning & WHAT_FACTORY_METHOD) !== 0) creating.add(token);
            seen |= meaning;
          }
          if (reached(seen)) return seen;
        }
      }
    }
  }
  return seen;
}

/**
 * An ASCII letter or `_`: never right next to a token's value in the text. (`$` and digits are treated as
 * neighbours a value can have: a template's text ends before `${`.)
 */
function isWordCharacter(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95;
}

/** What one token's value means (0: nothing), cooked when it holds a backslash and `escapes` says it may. */
function tokenMeaning(token: TSESLint.AST.Token, matcher: Matcher, escapes: boolean): number {
  const value = token.value;
  let start = 0;
  let end = value.length;
  let what = 0;
  switch (token.type) {
    case 'Punctuator':
    case 'Numeric':
    case 'RegularExpression':
    case 'JSXText':
      return 0;
    case 'String':
      start = 1;
      end -= 1;
      break;
    case 'Template':
      start = 1;
      end -= value.endsWith('${') ? 2 : 1;
      break;
    case 'PrivateIdentifier':
      // The analysis spells a private member `#name`; parsers give the token without the `#`.
      if (!value.startsWith('#')) what = meaningOf(`#${value}`, 0, value.length + 1, matcher, escapes);
      break;
    default:
      // Identifiers, and keywords, which are names too after a dot (`x.default`).
      break;
  }
  return what | meaningOf(value, start, end, matcher, escapes);
}

/** What `raw.slice(start, end)`, cooked, means in the vocabulary (0: nothing). */
function meaningOf(raw: string, start: number, end: number, matcher: Matcher, escapes: boolean): number {
  if (escapes && raw.includes('\\', start)) {
    // Every escape sequence is longer than what it stands for, so the value is shorter than the raw text.
    if (end - start - 1 < matcher.shortest) return 0;
    const cooked = cook(raw.slice(start, end));
    return matchIn(matcher.byLength[cooked.length], cooked, 0);
  }
  return matchIn(matcher.byLength[end - start], raw, start);
}

function matchIn(entries: readonly Entry[] | undefined, text: string, start: number): number {
  if (entries === undefined) return 0;
  let what = 0;
  for (const entry of entries) if (text.startsWith(entry.name, start)) what |= entry.what;
  return what;
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
