import { storeContract } from './contract.js';
import { openPostgresStore } from '../../../src/store/postgres/index.js';
import { createTestDatabase, havePostgres } from '../../helpers/pg-cluster.js';

if (havePostgres())
  storeContract('postgres', async () => {
    const store = await openPostgresStore(await createTestDatabase('contract'));
    return { store, cleanup: () => store.close() };
  });
