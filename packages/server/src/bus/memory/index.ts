export { MemoryBus, topicMatches, type BusErrorReporter } from './memory-bus.js';
