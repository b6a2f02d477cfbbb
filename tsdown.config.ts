/**
 * The package build (`npm run build`): ES module and CommonJS outputs of the runtime (`.`) and the ESLint plugin
 * (`./eslint-plugin`), the store suite (`./testing`, run under vitest), the OpenTelemetry export (`./otel`) and the `locksmith` command (ES module). Peers (eslint, typescript-eslint, ioredis, vitest, @opentelemetry/api, log-update) stay external. No source maps: the output is
 * unminified, one readable file per entry plus shared chunks.
 */
import { defineConfig, type UserConfig } from 'tsdown';

const shared = {
  platform: 'node',
  target: 'node20.19',
  tsconfig: 'tsconfig.build.json',
  outDir: 'dist',
  clean: false,
  sourcemap: false,
  // `import.meta.url` (package version, peer resolution) in the CommonJS output.
  shims: true,
  dts: true,
  logLevel: 'warn',
  // The CommonJS output is wanted (CommonJS ESLint configs, `require()` users); timings are noise in `npm test`.
  checks: { legacyCjs: false, pluginTimings: false },
} satisfies UserConfig;

export default defineConfig([
  {
    ...shared,
    format: 'esm',
    entry: {
      index: 'src/index.ts',
      'eslint-plugin': 'rules/plugin.ts',
      testing: 'src/testing/index.ts',
      otel: 'src/otel/index.ts',
      'bin/locksmith': 'bin/locksmith.ts',
    },
  },
  {
    ...shared,
    format: 'cjs',
    // `eslint-plugin.cjs` checks the lint peers, then requires `eslint-plugin-core.cjs` (see rules/plugin.cts).
    entry: {
      index: 'src/index.ts',
      'eslint-plugin': 'rules/plugin.cts',
      'eslint-plugin-core': 'rules/index.ts',
      // Resolvable from CommonJS for type checkers; vitest itself refuses require() with its own message.
      testing: 'src/testing/index.ts',
      otel: 'src/otel/index.ts',
    },
    outputOptions: { exports: 'named' },
    // plugin.cts assigns `module.exports` through `export =`, which rolldown reads as an ES module's `export`.
    checks: { ...shared.checks, commonJsVariableInEsm: false },
  },
]);
