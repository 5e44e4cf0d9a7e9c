export {
  DeviceRegistry,
  DEVICE_CREDENTIALS_CHANGED,
  type DeviceRegistration,
  type DeviceRegistryHooks,
  type DeviceRegistryOptions,
  type AuthFailure,
} from './device-registry.js';
export {
  SecretHasher,
  SCRYPT_COST,
  type ScryptCost,
  type SecretCheck,
  type SecretHasherOptions,
} from './secret-hasher.js';
export { decodeObservations, IngestRefusal } from './decode-observation.js';
export { IngestPipeline, type IngestPipelineOptions } from './ingest-pipeline.js';
export {
  startEmbeddedBroker,
  type EmbeddedBroker,
  type EmbeddedBrokerOptions,
} from './mqtt-broker.js';
export { ingestRoutes, type IngestRoutesOptions } from './http-routes.js';
export type { IngestMetrics, LoginMetrics } from './metrics.js';
export {
  LoginThrottle,
  LoginBlocked,
  LOGIN_LIMITS,
  type LoginLimits,
  type LoginAttempt,
  type LoginThrottleOptions,
} from './login-throttle.js';
export { IngestGate, type DeviceMessage } from './ingest-gate.js';
export * from './topics.js';
export {
  startExternalMqttIngest,
  type ExternalMqttIngest,
  type ExternalMqttIngestOptions,
} from './external-mqtt.js';
export {
  downTopic,
  drainedTopic,
  takeoverFilter,
  NODE_TOPIC_PREFIX,
  type SessionWill,
} from './session-takeover.js';
export {
  MosquittoDynsec,
  type MosquittoDynsecOptions,
  type DynsecCommand,
  type DynsecResponse,
  type DynsecSyncReport,
} from './mosquitto-dynsec.js';
