/** The runtime package whose imports, `require`s and types the analysis follows. */
export const LOCKSMITH_MODULE = 'locksmith-js';
