import {
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { CityError } from '../../core/index.js';
import { DEDUP_WINDOW_MS } from '../port.js';

/** The streams one bus needs, as every node must agree on them. */
export interface StreamPlan {
  /** The event stream's name; its subjects are `<prefix>.>`. */
  stream: string;
  prefix: string;
  partitions: number;
  /** How long events are kept, ms. */
  maxAge: number;
  /** How long dead letters are kept, ms. */
  deadLetterMaxAge: number;
  replicas: number;
}

/** The name of the stream that keeps a bus's dead letters. */
export const deadLetterStream = (stream: string) => `${stream}_DEAD`;

// Nodes check the partition count here because a node with another count would leave some
// partitions without a consumer (their events never handled) or consume ones nobody fills.
const describe = (plan: StreamPlan) => `citybrain bus; partitions=${plan.partitions}`;

/**
 * Creates the event stream and the dead-letter stream, or brings their limits up to date.
 * Idempotent and safe when several nodes start together; refuses (CityError) a stream of the
 * same name that another layout owns, rather than taking it over.
 */
export async function ensureStreams(jsm: JetStreamManager, plan: StreamPlan): Promise<void> {
  await upsert(jsm, {
    name: plan.stream,
    description: describe(plan),
    subjects: [`${plan.prefix}.>`],
    max_age: nanos(plan.maxAge),
    num_replicas: plan.replicas,
  });
  await upsert(jsm, {
    name: deadLetterStream(plan.stream),
    description: `citybrain bus dead letters of ${plan.stream}`,
    subjects: [`${plan.prefix}-dead.>`],
    max_age: nanos(plan.deadLetterMaxAge),
    num_replicas: plan.replicas,
  });
}

type Wanted = Pick<StreamConfig, 'name' | 'description' | 'subjects' | 'max_age' | 'num_replicas'>;

async function upsert(jsm: JetStreamManager, wanted: Wanted, attempt = 0): Promise<void> {
  const current = await info(jsm, wanted.name);
  if (!current) {
    try {
      await jsm.streams.add({
        ...wanted,
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        discard: DiscardPolicy.Old,
        // JetStream refuses a duplicate window longer than the stream's max age.
        duplicate_window: Math.min(nanos(DEDUP_WINDOW_MS), wanted.max_age),
      });
    } catch (err) {
      // Another node created it between our look and our add: check what it created.
      if (attempt === 0 && (await info(jsm, wanted.name))) return upsert(jsm, wanted, 1);
      throw unavailable(`cannot create the NATS stream ${wanted.name}`, err);
    }
    return;
  }
  const config = current.config;
  if (
    config.subjects?.join() !== wanted.subjects.join() ||
    config.description !== wanted.description
  )
    throw new CityError(
      'InvalidRequest',
      `the NATS stream ${wanted.name} exists as "${config.description ?? ''}" over ` +
        `${config.subjects?.join(', ')}, not "${wanted.description}" over ` +
        `${wanted.subjects.join(', ')}: use the same bus options (subject prefix, partitions) ` +
        'on every node, or another stream name',
    );
  if (config.max_age === wanted.max_age && config.num_replicas === wanted.num_replicas) return;
  try {
    await jsm.streams.update(wanted.name, {
      ...config,
      max_age: wanted.max_age,
      num_replicas: wanted.num_replicas,
      duplicate_window: Math.min(config.duplicate_window, wanted.max_age),
    });
  } catch (err) {
    throw unavailable(`cannot update the NATS stream ${wanted.name}`, err);
  }
}

async function info(jsm: JetStreamManager, name: string): Promise<StreamInfo | undefined> {
  try {
    return await jsm.streams.info(name);
  } catch (err) {
    if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound)
      return undefined;
    throw unavailable(`cannot read the NATS stream ${name}`, err);
  }
}

const unavailable = (message: string, cause: unknown) =>
  new CityError('ServiceUnavailable', `${message}: ${(cause as Error).message}`, { cause });
