import { storeContract } from './contract.js';
import { leaseContract } from './lease-contract.js';
import { openPostgresStore } from '../../../src/store/postgres/index.js';
import { createTestDatabase, havePostgres } from '../../helpers/pg-cluster.js';

if (havePostgres()) {
  storeContract('postgres', async () => {
    const store = await openPostgresStore(await createTestDatabase('contract'));
    return { store, cleanup: () => store.close() };
  });
  leaseContract('postgres', async () => {
    const url = await createTestDatabase('lease');
    const store = await openPostgresStore(url);
    return { store, second: () => openPostgresStore(url), cleanup: () => store.close() };
  });
}
