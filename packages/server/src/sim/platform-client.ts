import type { Entity } from '../core/index.js';
import type { SimulatedDevice } from './device-plan.js';

/** What came back from the platform: the status, and whether it means "done" (2xx or 409). */
export interface PlatformReply {
  status: number;
  created: boolean;
  existed: boolean;
  /** The answer's JSON body, when it has one. */
  body?: unknown;
}

/** Thrown when the platform refuses a call for a reason other than "already exists". */
export class PlatformError extends Error {
  override readonly name = 'PlatformError';

  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Talks to citybrain's public HTTP API as the city's GIS and its device installer would. */
export interface PlatformClient {
  /** `POST /ngsi-ld/v1/entities`; 409 (already there) counts as done. */
  createEntity(entity: Entity): Promise<PlatformReply>;
  /** `POST /api/v1/devices`; 409 (already registered) counts as done. */
  registerDevice(device: SimulatedDevice, secret: string): Promise<PlatformReply>;
  /** `DELETE /api/v1/devices/{id}` (to re-register a device whose secret no longer matches). */
  deleteDevice(id: string): Promise<PlatformReply>;
  /** Any other call of the API, as the operator (`PUT /api/v1/datasets/…`, grants …). */
  call(method: string, path: string, body?: unknown): Promise<PlatformReply>;
}

const RETRIES = 3;

/** Creates a client for `httpUrl` authenticating with the operator token. */
export function createPlatformClient(options: {
  httpUrl: string;
  adminToken: string;
  signal?: AbortSignal;
}): PlatformClient {
  const base = options.httpUrl.replace(/\/+$/, '');
  const call = async (method: string, path: string, body?: unknown): Promise<PlatformReply> => {
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(`${base}${path}`, {
          method,
          headers: {
            Authorization: `Bearer ${options.adminToken}`,
            ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: options.signal,
        });
      } catch (err) {
        // A refused connection or a reset: the server may be busy starting; try again shortly.
        if (attempt >= RETRIES || options.signal?.aborted) throw err;
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
        continue;
      }
      const text = await response.text();
      if (response.status >= 500 && attempt < RETRIES) continue;
      if (response.ok || response.status === 409)
        return {
          status: response.status,
          created: response.ok,
          existed: response.status === 409,
          ...(text && { body: JSON.parse(text) as unknown }),
        };
      throw new PlatformError(
        response.status,
        `${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`,
      );
    }
  };
  return {
    createEntity: (entity) => call('POST', '/ngsi-ld/v1/entities', entity),
    registerDevice: (device, secret) =>
      call('POST', '/api/v1/devices', {
        id: device.id,
        entityType: device.entityType,
        name: device.name,
        attributes: device.attributes,
        units: device.units,
        secret,
      }),
    deleteDevice: (id) => call('DELETE', `/api/v1/devices/${encodeURIComponent(id)}`),
    call,
  };
}
