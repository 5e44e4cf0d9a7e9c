export { DeviceRegistry, type DeviceRegistration, type AuthFailure } from './device-registry.js';
export { decodeObservations, IngestRefusal } from './decode-observation.js';
export { IngestPipeline, type IngestPipelineOptions } from './ingest-pipeline.js';
export {
  startEmbeddedBroker,
  type EmbeddedBroker,
  type EmbeddedBrokerOptions,
} from './mqtt-broker.js';
export { ingestRoutes, type IngestRoutesOptions } from './http-routes.js';
export type { IngestMetrics } from './metrics.js';
export { IngestGate, type DeviceMessage } from './ingest-gate.js';
export * from './topics.js';
