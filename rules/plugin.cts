/**
 * The CommonJS entry of `locksmith-js/eslint-plugin`: `require()` returns the plugin object itself. Checks the
 * lint peers before it requires the plugin (see `plugin.ts`). The plugin is a separate file of the build
 * (`eslint-plugin-core.cjs`, from `index.ts`): bundled into this one, its peers' requires would run first.
 */
import type { LocksmithPlugin } from './index.js';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { assertLintPeers } = require('./lint-peers.js') as typeof import('./lint-peers.js');

/** The built plugin next to this file; a variable, so that the bundler leaves the require to run here. */
const core = './eslint-plugin-core.cjs';

assertLintPeers();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const plugin: LocksmithPlugin = (require(core) as typeof import('./index.js')).default;

export = plugin;
