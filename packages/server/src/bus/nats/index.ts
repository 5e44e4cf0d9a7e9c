export { NatsBus, type NatsBusOptions } from './nats-bus.js';
export type { DeadLetter } from './dead-letter.js';
