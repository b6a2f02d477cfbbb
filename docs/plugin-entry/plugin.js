// The built plugin (`npm run build`), re-exported for eslint-doc-generator (see package.json here).
export { default } from '../../dist/eslint-plugin.mjs';
