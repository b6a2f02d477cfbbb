import { cachedByIdentity } from './identity-cache.js';
import { DEFAULT_MODULES, PROFILE_IDS, type ProfileId } from './libraries.js';

/** One library profile as configured: off, or on with the package names and receiver names it follows. */
export interface ProfileSettings {
  /** Package specifiers whose imports are this library (the defaults plus `modules` from the settings). */
  readonly modules: readonly string[];
  /**
   * Receiver names (an identifier, or the last property of a member expression) that hold this library's
   * manager (redlock: a `Redlock`) or lock (redis-semaphore, async-mutex: a mutex or semaphore) without an
   * import in the file to follow: `import { redlock } from '@/lib/redlock'` → `names: ['redlock']`.
   */
  readonly names: readonly string[];
}

/** The plugin's shared settings: `settings.locksmith` in an ESLint config. */
export interface LocksmithSettings {
  /**
   * Receiver names whose `.lock()` / `.restoreLock()` make locks without any import to follow: an identifier
   * (`Cache.lock(…)`) or the last property of a member expression (`this.locks.lock(…)`). The names a config
   * gives are added to {@link DEFAULT_LOCK_FACTORIES}, never replace them: listing one more name must not
   * silently stop the checks on `cache.lock(…)`.
   */
  readonly lockFactories: readonly string[];
  /** The library profiles that are on (all by default); a profile set to `false` is absent. */
  readonly libraries: Readonly<Partial<Record<ProfileId, ProfileSettings>>>;
}

/** The default {@link LocksmithSettings.lockFactories}: Laravel's facade spelling and the usual variable names. */
export const DEFAULT_LOCK_FACTORIES: readonly string[] = ['Cache', 'cache', 'locks'];

/** The settings of every config without an object at `settings.locksmith` (the defaults), made once. */
let unset: LocksmithSettings | undefined;
const bySettingsObject = cachedByIdentity((settings: Readonly<Record<string, unknown>>) => parse(settings['locksmith']));

/**
 * Reads `settings.locksmith`, ignoring malformed values rather than throwing. Shape:
 * `{ lockFactories?: string[], libraries?: { redlock?: false | { modules?: string[], names?: string[] }, … } }`.
 *
 * Read once per `settings` object (by identity): ESLint computes a config's settings once and hands the same
 * object to every file it lints with that config, and a new object whenever the config changes (a new `ESLint`
 * instance, a `Linter.verify` call with a config). Changing a settings object in place after it was read is not
 * seen.
 */
export function readSettings(settings: Readonly<Record<string, unknown>> | undefined): LocksmithSettings {
  const own = settings?.['locksmith'];
  // ESLint hands a config without settings a new `{}` for every file: the defaults need no lookup at all.
  if (typeof own !== 'object' || own === null) return (unset ??= parse(undefined));
  return bySettingsObject(settings!);
}

function parse(own: unknown): LocksmithSettings {
  const record = typeof own === 'object' && own !== null ? (own as Record<string, unknown>) : {};
  const factories = record['lockFactories'];
  const libraries: Partial<Record<ProfileId, ProfileSettings>> = {};
  const configured = isRecord(record['libraries']) ? record['libraries'] : {};
  for (const id of PROFILE_IDS) {
    const entry = configured[id];
    if (entry === false) continue;
    const options = isRecord(entry) ? entry : {};
    libraries[id] = {
      modules: [...DEFAULT_MODULES[id], ...strings(options['modules'])],
      names: strings(options['names']),
    };
  }
  return {
    lockFactories: [...new Set([...DEFAULT_LOCK_FACTORIES, ...strings(factories)])],
    libraries,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
