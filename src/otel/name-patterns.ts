/**
 * Lock names become metric attributes through a pattern, so that `process:package:1A4` and
 * `process:package:9Z2` count as one series: a metrics backend keeps one time series per distinct attribute
 * set, and lock names usually carry an id.
 */

/** The attribute value of names over the cap (see {@link NamePatterns}). */
export const OTHER_PATTERN = 'other';

/**
 * The default pattern: the last `:segment` (the scope, by the `{action}:{entity}:{scope}` convention)
 * becomes `*`, so `import:batch:42` → `import:batch:*`. A name without `:` is kept whole.
 */
export function collapseLastSegment(name: string): string {
  const colon = name.lastIndexOf(':');
  return colon === -1 ? name : `${name.slice(0, colon)}:*`;
}

/**
 * Maps names to patterns with a cap on distinct patterns: once `max` have been seen, a new one is reported
 * as {@link OTHER_PATTERN}, so a pattern function that lets ids through cannot explode the series count.
 */
export class NamePatterns {
  readonly #seen = new Set<string>();
  readonly #cache = new Map<string, string>();

  constructor(
    private readonly toPattern: (name: string) => string,
    private readonly max: number,
  ) {}

  of(name: string): string {
    const cached = this.#cache.get(name);
    if (cached !== undefined) return cached;
    let pattern: string;
    try {
      pattern = String(this.toPattern(name));
    } catch {
      pattern = OTHER_PATTERN;
    }
    if (!this.#seen.has(pattern)) {
      if (this.#seen.size >= this.max) pattern = OTHER_PATTERN;
      else this.#seen.add(pattern);
    }
    // Names are unbounded too: remember only a bounded number of them (the pattern function is cheap).
    if (this.#cache.size < this.max * 16) this.#cache.set(name, pattern);
    return pattern;
  }
}
