import { storeContract } from './contract.js';
import { leaseContract } from './lease-contract.js';
import { createMemoryStore } from '../../../src/store/memory/index.js';

storeContract('memory', async (opts) => {
  const store = createMemoryStore(opts);
  return { store, cleanup: () => store.close() };
});

leaseContract('memory', async () => {
  const store = createMemoryStore();
  return { store, cleanup: () => store.close() };
});
