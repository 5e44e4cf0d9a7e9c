import { randomUUID } from 'node:crypto';
import { connectAsync, type MqttClient } from 'mqtt';
import { DeliveryError } from './delivery-queues.js';

function message(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return (err instanceof Error ? err.message : String(err)) + cause;
}

/** POSTs a notification over HTTP (clause 5.11); 5xx, 408, 429 and network errors are retryable. */
export async function postNotification(
  uri: string,
  body: string,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<void> {
  let response: Response;
  try {
    response = await fetch(uri, { method: 'POST', headers, body, signal, redirect: 'manual' });
  } catch (err) {
    throw new DeliveryError(`POST ${uri} failed: ${message(err)}`, true, { cause: err });
  }
  await response.body?.cancel();
  if (response.ok) return;
  const retryable = response.status >= 500 || response.status === 408 || response.status === 429;
  throw new DeliveryError(`${uri} answered HTTP ${response.status}`, retryable);
}

/** MQTT publication settings taken from `notifierInfo` (MQTT binding of GS CIM 009). */
export interface MqttSettings {
  qos: 0 | 1 | 2;
  /** 4 for MQTT 3.1.1, 5 for MQTT 5.0. */
  protocolVersion: 4 | 5;
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/** Publishes notifications to MQTT brokers named by `mqtt(s)://[user:pass@]host:port/topic`, one connection per broker. */
export class MqttPublisher {
  private readonly clients = new Map<string, Promise<MqttClient>>();

  private client(url: URL, settings: MqttSettings): Promise<MqttClient> {
    const broker = `${url.protocol}//${url.username}@${url.host}#${settings.protocolVersion}`;
    const known = this.clients.get(broker);
    if (known) return known;
    const connecting = connectAsync(`${url.protocol}//${url.host}`, {
      username: url.username ? decodeURIComponent(url.username) : undefined,
      password: url.password ? decodeURIComponent(url.password) : undefined,
      protocolVersion: settings.protocolVersion,
      clientId: `citybrain-notifier-${randomUUID()}`,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
    }).then((client) => {
      client.on('close', () => this.clients.delete(broker));
      client.on('error', () => this.clients.delete(broker));
      return client;
    });
    connecting.catch(() => this.clients.delete(broker));
    this.clients.set(broker, connecting);
    return connecting;
  }

  /** Publishes one message; rejects with a retryable DeliveryError when the broker cannot be had. */
  async publish(
    uri: string,
    payload: string,
    settings: MqttSettings,
    signal: AbortSignal,
  ): Promise<void> {
    const url = new URL(uri);
    const topic = decodeURIComponent(url.pathname.replace(/^\//, ''));
    if (topic === '') throw new DeliveryError(`${uri} names no MQTT topic`, false);
    try {
      const client = await abortable(this.client(url, settings), signal);
      await abortable(client.publishAsync(topic, payload, { qos: settings.qos }), signal);
    } catch (err) {
      if (err instanceof DeliveryError) throw err;
      throw new DeliveryError(`MQTT publish to ${url.host} failed: ${message(err)}`, true, {
        cause: err,
      });
    }
  }

  /** Closes every broker connection. */
  async close(): Promise<void> {
    const clients = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(
      clients.map((c) => c.then((client) => client.endAsync(true)).catch(() => undefined)),
    );
  }
}
