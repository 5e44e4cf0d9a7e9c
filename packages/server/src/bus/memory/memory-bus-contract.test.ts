import { describeBusContract } from '../bus-contract.js';
import { MemoryBus } from './memory-bus.js';

describeBusContract(
  'memory',
  async () => {
    let bus: MemoryBus | undefined;
    return {
      // One process, one bus: every node of a test is the same bus.
      node: async (onError) => (bus ??= new MemoryBus(onError)),
      cleanup: async () => {},
    };
  },
  { durable: false },
);
