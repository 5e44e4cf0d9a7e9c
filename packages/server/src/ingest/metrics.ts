import type { DeadLetterReason } from '../store/index.js';

/** Where ingest reports what it does; the server binds it to Prometheus. */
export interface IngestMetrics {
  accepted(source: 'mqtt' | 'http', observations: number): void;
  rejected(source: 'mqtt' | 'http', reason: DeadLetterReason): void;
  /** One durable write: its size and how long the commit took. */
  committed(observations: number, seconds: number): void;
  /** From receipt of a message to its durable commit. */
  latency(seconds: number): void;
}

/** Where the login throttle reports; the server binds it to Prometheus. */
export interface LoginMetrics {
  /** A login refused unchecked, its device or its address being blocked. */
  throttled(source: 'mqtt' | 'http', by: 'device' | 'address'): void;
}
