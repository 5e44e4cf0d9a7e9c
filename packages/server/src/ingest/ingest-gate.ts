import type { DeadLetter, Device } from '../store/index.js';
import { decodeObservations, IngestRefusal } from './decode-observation.js';
import type { IngestPipeline } from './ingest-pipeline.js';
import type { IngestMetrics } from './metrics.js';

/** A device message as it arrived, over any protocol. */
export interface DeviceMessage {
  source: DeadLetter['source'];
  device: Device;
  payload: Buffer | string;
  receivedAt: number;
  topic?: string;
}

const MAX_KEPT_PAYLOAD = 4096;

/** The text of a payload as kept in a dead letter (UTF-8, first 4 KiB). */
export function keptPayload(payload: Buffer | string): string {
  return (typeof payload === 'string' ? payload : payload.toString('utf8')).slice(
    0,
    MAX_KEPT_PAYLOAD,
  );
}

/**
 * The one path every device message takes, whatever the protocol: refusals are counted
 * and dead-lettered durably, observations are decoded, made durable and counted.
 */
export class IngestGate {
  constructor(
    private readonly pipeline: IngestPipeline,
    private readonly metrics: IngestMetrics,
  ) {}

  /** Counts a refused message and keeps it as a dead letter; never throws. */
  async refuse(letter: DeadLetter): Promise<void> {
    this.metrics.rejected(letter.source, letter.reason);
    await this.pipeline.refuse([letter]);
  }

  /**
   * Resolves with the number of observations once they are durable. A payload that
   * cannot be accepted is dead-lettered first, then its IngestRefusal is thrown; so is one
   * whose entity refused some observation (the others are stored). Any other rejection
   * means the write failed and nothing may be acknowledged.
   */
  async accept(message: DeviceMessage): Promise<number> {
    const { source, device, payload, receivedAt } = message;
    let observations;
    try {
      observations = decodeObservations(payload, device, receivedAt);
    } catch (err) {
      throw await this.deadLetter(
        message,
        err instanceof IngestRefusal
          ? err
          : new IngestRefusal('malformed-payload', (err as Error).message),
      );
    }
    const refused = await this.pipeline.submit(observations, receivedAt);
    this.metrics.accepted(source, observations.length - refused.length);
    if (refused.length === 0) return observations.length;
    const [first] = refused;
    const others = observations.length - refused.length;
    throw await this.deadLetter(
      message,
      new IngestRefusal(
        'invalid-observation',
        observations.length === 1
          ? first!.reason
          : `${refused.length} of ${observations.length} observations refused (the other ${others} stored): ${first!.reason}`,
      ),
    );
  }

  /** Keeps the message as a dead letter with the refusal's reason; returns the refusal. */
  private async deadLetter(message: DeviceMessage, refusal: IngestRefusal): Promise<IngestRefusal> {
    const { source, device, payload, receivedAt, topic } = message;
    await this.refuse({
      receivedAt,
      source,
      reason: refusal.reason,
      detail: refusal.message,
      deviceId: device.id,
      ...(topic !== undefined && { topic }),
      payload: keptPayload(payload),
    });
    return refusal;
  }
}
