/** The library profiles in force for one file: which packages and receiver names each library is recognised by. */
import type { LibraryId, ProfileId } from './libraries.js';
import { LOCKSMITH_MODULE } from './locksmith-module.js';
import type { LocksmithSettings } from './settings.js';

export class ActiveProfiles {
  /** Every package specifier followed (locksmith's and each enabled profile's). */
  readonly allModules: ReadonlySet<string>;
  private readonly modulesOf = new Map<LibraryId, ReadonlySet<string>>();
  private readonly namesOf = new Map<LibraryId, ReadonlySet<string>>();

  constructor(settings: LocksmithSettings) {
    this.modulesOf.set('locksmith', new Set([LOCKSMITH_MODULE]));
    this.namesOf.set('locksmith', new Set(settings.lockFactories));
    for (const [id, profile] of Object.entries(settings.libraries) as [ProfileId, { modules: readonly string[]; names: readonly string[] }][]) {
      this.modulesOf.set(id, new Set(profile.modules));
      this.namesOf.set(id, new Set(profile.names));
    }
    this.allModules = new Set([...this.modulesOf.values()].flatMap((modules) => [...modules]));
  }

  /** Whether the library is recognised at all (locksmith always is). */
  enabled(library: LibraryId): boolean {
    return this.modulesOf.has(library);
  }

  /** The package specifiers of `library` (empty when it is off). */
  modules(library: LibraryId): ReadonlySet<string> {
    return this.modulesOf.get(library) ?? EMPTY;
  }

  /**
   * The library a receiver name stands for without an import: locksmith's `lockFactories`, or a profile's
   * `names`. Later profiles never override an earlier match.
   */
  libraryOfName(name: string): LibraryId | undefined {
    for (const [library, names] of this.namesOf) if (names.has(name)) return library;
    return undefined;
  }
}

const EMPTY: ReadonlySet<string> = new Set();
