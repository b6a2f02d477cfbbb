/** The plugin's shared settings: `settings.locksmith` in an ESLint config. */
export interface LocksmithSettings {
  /**
   * Receiver names whose `.lock()` / `.restoreLock()` make locks without any import to follow: an identifier
   * (`Cache.lock(…)`) or the last property of a member expression (`this.locks.lock(…)`). The names a config
   * gives are added to {@link DEFAULT_LOCK_FACTORIES}, never replace them: listing one more name must not
   * silently stop the checks on `cache.lock(…)`.
   */
  readonly lockFactories: readonly string[];
}

/** The default {@link LocksmithSettings.lockFactories}: Laravel's facade spelling and the usual variable names. */
export const DEFAULT_LOCK_FACTORIES: readonly string[] = ['Cache', 'cache', 'locks'];

/** Reads `settings.locksmith`, ignoring malformed values rather than throwing. */
export function readSettings(settings: Readonly<Record<string, unknown>> | undefined): LocksmithSettings {
  const own = settings?.['locksmith'];
  const factories =
    typeof own === 'object' && own !== null ? (own as Record<string, unknown>)['lockFactories'] : undefined;
  const extra =
    Array.isArray(factories) && factories.every((name) => typeof name === 'string') ? (factories as string[]) : [];
  return { lockFactories: [...new Set([...DEFAULT_LOCK_FACTORIES, ...extra])] };
}
