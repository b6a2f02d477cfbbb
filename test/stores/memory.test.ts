import { MemoryStore } from 'locksmith-js';
import { describeStoreSuite } from 'locksmith-js/testing';

describeStoreSuite('MemoryStore', async () => {
  const store = new MemoryStore();
  return { store, cleanup: () => store.close() };
}, { fifo: true });
