/**
 * The ES module entry of `locksmith-js/eslint-plugin`: checks the lint peers first, then loads the plugin, so
 * that a missing or unsupported peer is named in one line instead of surfacing as a module-resolution stack.
 * (`plugin.cts` is the CommonJS twin.)
 */
import { assertLintPeers } from './lint-peers.js';
import type { LocksmithPlugin } from './index.js';

assertLintPeers();
const plugin: LocksmithPlugin = (await import('./index.js')).default;

export default plugin;
