import { MemoryStore } from '../../functions/stores/memory-store.ts';
import { storeContract } from '../contracts/store-contract.ts';

// `wirefeed check` publishes into MemoryStores, so they must answer as the real stores do.
storeContract('MemoryStore', async () => ({ store: new MemoryStore(), close: async () => {} }));
