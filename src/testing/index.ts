/**
 * `locksmith-js/testing`: the behavioural suite every {@link LockStore} passes, for authors of third-party
 * stores. It runs under vitest (an optional peer dependency of locksmith-js):
 *
 * ```ts
 * // my-store.test.ts
 * import { describeStoreSuite } from 'locksmith-js/testing';
 * describeStoreSuite('MyStore', async () => ({ store: new MyStore(), cleanup: async () => {} }));
 * // a store that hands the lock to waiters in arrival order also runs the FIFO cases:
 * describeStoreSuite('MyStore', setup, { fifo: true });
 * ```
 */
export { describeStoreSuite, type StoreSetup, type StoreSuiteOptions } from './store-suite.js';
