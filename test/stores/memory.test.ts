import { MemoryStore } from 'locksmith-js';
import { describeStoreSuite } from './store-suite.js';

describeStoreSuite('MemoryStore', async () => {
  const store = new MemoryStore();
  return { store, cleanup: () => store.close() };
});
