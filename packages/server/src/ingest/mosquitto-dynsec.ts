import { randomUUID } from 'node:crypto';
import { connectAsync, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { CityError } from '../core/index.js';
import type { Device, DeviceStore } from '../store/index.js';
import type { DeviceRegistryHooks } from './device-registry.js';
import { downTopic, drainedTopic, takeoverFilter } from './session-takeover.js';
import { attrsTopic, commandTopic, DEVICE_TOPIC_PREFIX } from './topics.js';

const CONTROL_TOPIC = '$CONTROL/dynamic-security/v1';
const RESPONSE_TOPIC = `${CONTROL_TOPIC}/response`;
const DEVICE_ROLE_PREFIX = 'citybrain-device-';
const INGEST_ROLE = 'citybrain-ingest';

/** One command of Mosquitto's dynamic security plugin (see its documentation). */
export type DynsecCommand = { command: string } & Record<string, unknown>;

/** The plugin's answer to one command: `error` is set when it failed. */
export interface DynsecResponse {
  command: string;
  error?: string;
  data?: Record<string, unknown>;
  correlationData?: string;
}

/** Options of the dynamic-security client. */
export interface MosquittoDynsecOptions {
  /** Broker URL, `mqtt://host:port`. */
  url: string;
  /** An account whose role may publish to and subscribe to `$CONTROL/dynamic-security/#`. */
  username: string;
  password: string;
  clientId?: string;
  logger: Logger;
  /** How long a command waits for the plugin's answer. */
  timeoutMs?: number;
  /**
   * Devices must connect with their id as MQTT client id (the default), so that no device
   * can take over another device's session and its queued commands.
   */
  bindClientId?: boolean;
}

/** What `syncAll` found. */
export interface DynsecSyncReport {
  /** Registered devices the broker does not know: they need a new secret to connect. */
  missing: string[];
  /** Broker accounts of devices citybrain no longer has, now deleted. */
  removed: string[];
}

/** An ACL entry; higher priorities are checked first, so grants (1) come before denials (0). */
const acl = (acltype: string, topic: string, allow: boolean) => ({
  acltype,
  topic,
  allow,
  priority: allow ? 1 : 0,
});

const notFound = (r: DynsecResponse) => /not found/i.test(r.error ?? '');

/**
 * Keeps Mosquitto's dynamic security plugin in step with the device registry through its
 * control topic: each device gets a broker account (username = device id, password = its
 * secret) and a role that lets it publish only its attrs topic and receive only its commands.
 */
export class MosquittoDynsec {
  private readonly waiting = new Map<string, (responses: DynsecResponse[]) => void>();

  private constructor(
    private readonly client: MqttClient,
    private readonly options: MosquittoDynsecOptions,
  ) {
    client.on('message', (_topic, payload) => this.answer(payload));
  }

  /** Connects as the dynsec admin account and listens for the plugin's responses. */
  static async connect(options: MosquittoDynsecOptions): Promise<MosquittoDynsec> {
    let client: MqttClient;
    try {
      client = await connectAsync(options.url, {
        protocolVersion: 5,
        username: options.username,
        password: options.password,
        clientId: options.clientId ?? `citybrain-dynsec-${randomUUID()}`,
        reconnectPeriod: 2000,
        connectTimeout: options.timeoutMs ?? 10_000,
      });
    } catch (err) {
      throw new CityError(
        'ServiceUnavailable',
        `cannot reach Mosquitto's dynamic security at ${options.url} as ${options.username}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    client.on('error', (err) => options.logger.warn({ err: err.message }, 'dynsec client error'));
    try {
      await client.subscribeAsync(RESPONSE_TOPIC, { qos: 1 });
    } catch (err) {
      await client.endAsync(true);
      throw new CityError(
        'Forbidden',
        `${options.username} may not use ${RESPONSE_TOPIC}: give it the dynsec admin role`,
        { cause: err },
      );
    }
    return new MosquittoDynsec(client, options);
  }

  private answer(payload: Buffer): void {
    let responses: DynsecResponse[];
    try {
      responses = (JSON.parse(payload.toString('utf8')) as { responses: DynsecResponse[] })
        .responses;
    } catch {
      return;
    }
    // Every admin client sees every response; ours carry our request id.
    const id = responses[0]?.correlationData?.split(':')[0];
    const resolve = id === undefined ? undefined : this.waiting.get(id);
    if (resolve) resolve(responses);
  }

  /** Sends commands in one request; answers the plugin's responses, errors included. */
  async request(commands: DynsecCommand[]): Promise<DynsecResponse[]> {
    const id = randomUUID();
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    const answered = new Promise<DynsecResponse[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(
          new CityError(
            'ServiceUnavailable',
            `Mosquitto's dynamic security plugin did not answer within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.waiting.set(id, (responses) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(responses);
      });
    });
    const tagged = commands.map((c, i) => ({ ...c, correlationData: `${id}:${i}` }));
    await this.client.publishAsync(CONTROL_TOPIC, JSON.stringify({ commands: tagged }), {
      qos: 1,
    });
    return answered;
  }

  /** Like `request`, but the first failed command becomes a CityError with the plugin's message. */
  async run(
    commands: DynsecCommand[],
    tolerate: (r: DynsecResponse) => boolean = () => false,
  ): Promise<DynsecResponse[]> {
    const responses = await this.request(commands);
    const failed = responses.find((r) => r.error !== undefined && !tolerate(r));
    if (failed)
      throw new CityError(
        /exists/i.test(failed.error ?? '') ? 'AlreadyExists' : 'InternalError',
        `Mosquitto dynamic security refused ${failed.command}: ${failed.error}`,
        { details: { command: failed.command, brokerError: failed.error } },
      );
    return responses;
  }

  private async ownsAccount(deviceId: string): Promise<boolean | undefined> {
    const [found] = await this.run([{ command: 'getClient', username: deviceId }], notFound);
    if (!found || found.error !== undefined) return undefined;
    const roles = (found.data?.client as { roles?: { rolename: string }[] } | undefined)?.roles;
    return (roles ?? []).some((r) => r.rolename === DEVICE_ROLE_PREFIX + deviceId);
  }

  /** Creates (or replaces) a device's broker account and its role. */
  async addDevice(deviceId: string, secret: string): Promise<void> {
    const owned = await this.ownsAccount(deviceId);
    // Never replace an account citybrain did not create (an admin, the service account …).
    if (owned === false)
      throw new CityError(
        'AlreadyExists',
        `the broker already has an account ${deviceId} that is not a citybrain device: choose another device id`,
      );
    const role = DEVICE_ROLE_PREFIX + deviceId;
    const replace = owned ? [{ command: 'deleteClient', username: deviceId }] : [];
    await this.run(
      [
        ...replace,
        { command: 'deleteRole', rolename: role },
        {
          command: 'createRole',
          rolename: role,
          textname: `citybrain device ${deviceId}`,
          acls: [
            acl('publishClientSend', attrsTopic(deviceId), true),
            acl('subscribePattern', commandTopic(deviceId), true),
            acl('publishClientReceive', commandTopic(deviceId), true),
            // Deny the rest in the role itself, whatever the broker's default ACL access says.
            acl('publishClientSend', '#', false),
            acl('subscribePattern', '#', false),
            acl('publishClientReceive', '#', false),
          ],
        },
        {
          command: 'createClient',
          username: deviceId,
          password: secret,
          ...(this.options.bindClientId !== false && { clientid: deviceId }),
          textname: `citybrain device ${deviceId}`,
          roles: [{ rolename: role }],
        },
      ],
      (r) => r.command === 'deleteRole' && notFound(r),
    );
  }

  /** Deletes a device's account (which disconnects it) and its role; unknown ones are fine. */
  async removeDevice(deviceId: string): Promise<void> {
    if ((await this.ownsAccount(deviceId)) === false)
      throw new CityError(
        'Forbidden',
        `the broker account ${deviceId} is not a citybrain device: left untouched`,
      );
    await this.run(
      [
        { command: 'deleteClient', username: deviceId },
        { command: 'deleteRole', rolename: DEVICE_ROLE_PREFIX + deviceId },
      ],
      notFound,
    );
  }

  /** The registry hooks that mirror registrations and removals into the broker. */
  registryHooks(): Required<DeviceRegistryHooks> {
    return {
      afterRegister: (device: Device, secret: string) => this.addDevice(device.id, secret),
      beforeRemove: (id: string) => this.removeDevice(id),
    };
  }

  /**
   * Start-up reconciliation. Broker accounts of removed devices are deleted. Devices
   * missing from the broker cannot be created: citybrain keeps only a hash of each secret,
   * so they are reported (and logged as an error) and need their secret re-issued.
   */
  async syncAll(devices: Pick<DeviceStore, 'list'>): Promise<DynsecSyncReport> {
    const registered = new Set<string>();
    for (let offset = 0; ; offset += 1000) {
      const page = await devices.list({ limit: 1000, offset });
      for (const d of page) registered.add(d.id);
      if (page.length < 1000) break;
    }
    const [clients, roles] = await this.run([
      { command: 'listClients', verbose: false, count: -1, offset: 0 },
      { command: 'listRoles', verbose: false, count: -1, offset: 0 },
    ]);
    const usernames = new Set((clients?.data?.clients as string[] | undefined) ?? []);
    const roleNames = (roles?.data?.roles as string[] | undefined) ?? [];
    const inBroker = new Set(
      roleNames
        .filter((r) => r.startsWith(DEVICE_ROLE_PREFIX))
        .map((r) => r.slice(DEVICE_ROLE_PREFIX.length))
        .filter((id) => usernames.has(id)),
    );
    const missing = [...registered].filter((id) => !inBroker.has(id)).sort();
    const removed = [...inBroker].filter((id) => !registered.has(id)).sort();
    for (const id of removed) await this.removeDevice(id);
    if (removed.length > 0)
      this.options.logger.info({ devices: removed }, 'deleted broker accounts of removed devices');
    if (missing.length > 0)
      this.options.logger.error(
        { devices: missing },
        `${missing.length} registered device(s) have no account on the MQTT broker and cannot connect: ` +
          'citybrain keeps only a hash of each secret, so re-issue their secrets ' +
          '(DELETE then POST /api/v1/devices) now that the external broker is in use',
      );
    return { missing, removed };
  }

  /**
   * Creates (or resets) an account citybrain nodes ingest with: the `citybrain-ingest` role
   * reads every attrs topic through the group's shared subscription and may send commands;
   * for taking over dead nodes' sessions, it publishes wills and gets the group's through
   * the takeover subscription, and sends itself drain markers. Devices can do neither.
   * The role is only ever added to, so that other accounts holding it keep it.
   */
  async ensureIngestAccount(account: {
    username: string;
    password: string;
    group: string;
  }): Promise<void> {
    if (account.username === this.options.username)
      throw new CityError(
        'BadRequestData',
        'the ingest account must not be the dynsec admin account',
      );
    const devices = `${DEVICE_TOPIC_PREFIX}+`;
    const acls = [
      acl('subscribePattern', `$share/${account.group}/${devices}/attrs`, true),
      acl('publishClientReceive', `${devices}/attrs`, true),
      acl('publishClientSend', `${devices}/cmd`, true),
      acl('publishClientSend', downTopic('+'), true),
      acl('subscribePattern', takeoverFilter(account.group), true),
      acl('publishClientReceive', downTopic('+'), true),
      acl('publishClientSend', drainedTopic('+'), true),
      acl('subscribePattern', drainedTopic('+'), true),
      acl('publishClientReceive', drainedTopic('+'), true),
    ].map((entry) => ({ command: 'addRoleACL', rolename: INGEST_ROLE, ...entry }));
    await this.run(
      [
        {
          command: 'createRole',
          rolename: INGEST_ROLE,
          textname: 'citybrain nodes: device ingest',
        },
        ...acls,
        { command: 'deleteClient', username: account.username },
        {
          command: 'createClient',
          username: account.username,
          password: account.password,
          textname: 'citybrain service account',
          roles: [{ rolename: INGEST_ROLE }],
        },
      ],
      (r) =>
        (r.command === 'deleteClient' && notFound(r)) ||
        ((r.command === 'createRole' || r.command === 'addRoleACL') &&
          /exists/i.test(r.error ?? '')),
    );
  }

  /** Disconnects. */
  async close(): Promise<void> {
    await this.client.endAsync();
  }
}
