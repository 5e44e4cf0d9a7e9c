import type { NotificationTarget } from './target.js';

/** Severities of alerts, lowest first (FIWARE Alert `severity`). */
export const SEVERITIES = ['informational', 'low', 'medium', 'high', 'critical'] as const;

/** One severity of an alert. */
export type Severity = (typeof SEVERITIES)[number];

/** A text in English and Chinese. */
export interface Bilingual {
  en: string;
  zh: string;
}

/** What happened, rendered once for every channel: the same for all targets of an event. */
export interface NotificationMessage {
  /** The bus topic, e.g. `alert.raised`; `notification.test` for a test. */
  event: string;
  /** When it happened, ISO 8601. */
  time: string;
  /** What it is about: an Alert entity, an incident or a task. */
  subject: { type: 'Alert' | 'Incident' | 'Task' | 'Test'; id: string };
  severity?: Severity;
  status?: string;
  /** The organisations it concerns (responsible, assignee, dispatcher). */
  organisations: string[];
  /** One line, e.g. for an e-mail subject. */
  title: Bilingual;
  /** The full text. */
  text: Bilingual;
  /** The event's payload as published on the bus. */
  data: unknown;
}

/** One message on its way to one target; `id` stays the same across retries (receivers dedupe on it). */
export interface Delivery {
  id: string;
  target: NotificationTarget;
  message: NotificationMessage;
}

/** Why the node itself refused to send (rather than the receiver): a dead letter's reason. */
export type SendRefusal = 'address-not-allowed';

/** Why an attempt failed, whether trying again may help, and when the receiver asked us to. */
export class ChannelError extends Error {
  override readonly name = 'ChannelError';
  /** True when a later attempt may succeed (network errors, 5xx, 408, 429, SMTP 4xx). */
  readonly retryable: boolean;
  /** The receiver's Retry-After, in ms. */
  readonly retryAfterMs: number | undefined;
  /** Set when the node refused to send at all. */
  readonly refusal: SendRefusal | undefined;
  constructor(
    message: string,
    options: { retryable: boolean; retryAfterMs?: number; refusal?: SendRefusal; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
    this.refusal = options.refusal;
  }
}

/**
 * A way to reach people or systems: webhook, e-mail, MQTT. `send` resolves once the receiver
 * accepted the message and rejects with a ChannelError otherwise (other errors count as
 * retryable); it gives up when `signal` aborts.
 */
export interface Channel {
  send(delivery: Delivery, signal: AbortSignal): Promise<void>;
  /** Refuses (CityError BadRequestData) a target being saved that this channel must not serve. */
  validate?(target: NotificationTarget): Promise<void>;
  /** Releases connections. */
  close?(): Promise<void>;
}

/** The channels a node has, by target kind; a kind without a channel is not configured here. */
export type Channels = Partial<Record<NotificationTarget['kind'], Channel>>;

/** The message of any thrown value, with its cause's, for a delivery log. */
export function reasonOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : undefined;
  return cause && !message.includes(cause) ? `${message}: ${cause}` : message;
}
