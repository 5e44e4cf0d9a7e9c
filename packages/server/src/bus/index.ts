export * from './port.js';
export { MemoryBus, topicMatches, type BusErrorReporter } from './memory/index.js';
export { NatsBus, type NatsBusOptions, type DeadLetter } from './nats/index.js';
