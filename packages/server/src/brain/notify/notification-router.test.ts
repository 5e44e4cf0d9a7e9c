import { afterEach, describe, expect, it } from 'vitest';
import type { NotifyCaller } from './access.js';
import type { Channel, Delivery } from './channel.js';
import { NotificationService } from './notification-service.js';
import {
  alertEntity,
  capturingLogger,
  eventually,
  openTestStore,
  testBus,
} from './testing/notify-fixtures.js';

const operator: NotifyCaller = { kind: 'operator', roles: ['admin'] };
const adminOf = (organisation: string): NotifyCaller => ({
  kind: 'user',
  organisation,
  roles: ['admin'],
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A service whose webhook channel records what it would send, by target name. */
async function setup() {
  const { store, close } = openTestStore();
  const bus = testBus();
  const sent: Delivery[] = [];
  const recorder: Channel = { send: async (d) => void sent.push(d) };
  const service = new NotificationService({
    store,
    bus,
    logger: capturingLogger().logger,
    channels: { webhook: recorder },
  });
  await service.start();
  cleanups.push(
    close,
    () => bus.close(),
    () => service.stop(),
  );
  const add = async (caller: NotifyCaller, name: string, fields: Record<string, unknown>) =>
    service.create(caller, {
      kind: 'webhook',
      url: `https://${name}.example/hook`,
      name,
      events: ['*'],
      ...fields,
    } as never);
  const publish = (topic: string, payload: unknown) =>
    bus.publish([{ topic, key: 'k', time: Date.now(), payload }]);
  // Events are routed one after the other: once a later marker event has gone out, the
  // earlier ones have been routed, those that reach nobody included.
  await add(operator, 'marker', { events: ['task.marker'] });
  /** The names of the targets that got something, once everything published went out. */
  const receivers = async () => {
    await publish('task.marker', { id: 'marker' });
    await eventually(() => service.backlog === 0 && sent.some((d) => d.target.name === 'marker'));
    const names = sent
      .filter((d) => d.message.event !== 'task.marker')
      .map((d) => d.target.name ?? d.target.id)
      .sort();
    sent.length = 0;
    return names;
  };
  return { service, add, publish, receivers, sent };
}

describe('routing events to targets', () => {
  it('sends an organisation’s alert to its targets and the operator’s, not to others', async () => {
    const { add, publish, receivers } = await setup();
    await add(adminOf('env'), 'env-duty', {});
    await add(adminOf('traffic'), 'traffic-duty', {});
    await add(operator, 'city-ops', {});
    await publish('alert.raised', alertEntity('env'));
    expect(await receivers()).toEqual(['city-ops', 'env-duty']);
    await publish('alert.raised', alertEntity('traffic'));
    expect(await receivers()).toEqual(['city-ops', 'traffic-duty']);
    // An alert of nobody's reaches the operator only.
    await publish('alert.raised', { ...alertEntity('x'), responsibleOrganisation: undefined });
    expect(await receivers()).toEqual(['city-ops']);
  });

  it('filters on minSeverity, on events and on enabled', async () => {
    const { add, publish, receivers, service } = await setup();
    await add(adminOf('env'), 'high-only', { minSeverity: 'high' });
    await add(adminOf('env'), 'raised-only', { events: ['alert.raised'] });
    await add(adminOf('env'), 'tasks-only', { events: ['task.*'] });
    const off = await add(adminOf('env'), 'off', { enabled: false });
    await publish('alert.raised', alertEntity('env', 'medium'));
    expect(await receivers()).toEqual(['raised-only']);
    await publish('alert.updated', alertEntity('env', 'critical'));
    expect(await receivers()).toEqual(['high-only']);
    await service.targets.update(adminOf('env'), off.id, { enabled: true });
    await publish('alert.updated', alertEntity('env', 'low'));
    expect(await receivers()).toEqual(['off']);
  });

  it('sends tasks and incidents to the responsible, the assignee and the dispatcher', async () => {
    const { add, publish, receivers, sent } = await setup();
    for (const org of ['env', 'sanitation', 'command', 'police']) await add(adminOf(org), org, {});
    await publish('task.created', {
      id: 't1',
      status: 'assigned',
      assignee: 'sanitation',
      dispatcher: 'command',
    });
    await eventually(() => sent.length === 2);
    const task = sent.find((d) => d.target.name === 'sanitation')?.message;
    expect(await receivers()).toEqual(['command', 'sanitation']);
    expect(task).toMatchObject({ event: 'task.created', subject: { type: 'Task', id: 't1' } });
    expect(task?.title).toEqual({ en: 'Task created: t1', zh: '任务已创建：t1' });
    await publish('incident.updated', {
      id: 'i1',
      status: 'resolved',
      title: 'Blocked drain on Wensan Road',
      responsibleOrganisation: 'env',
      dispatcher: 'command',
    });
    expect(await receivers()).toEqual(['command', 'env']);
    // Other topics are not notifications.
    await publish('entity.changed', { id: 'x', responsibleOrganisation: 'env' });
    expect(await receivers()).toEqual([]);
  });

  it('sends the same message to every target, with a delivery id of its own each', async () => {
    const { add, publish, sent } = await setup();
    await add(adminOf('env'), 'a', {});
    await add(adminOf('env'), 'b', {});
    await publish('alert.raised', alertEntity('env'));
    await eventually(() => sent.length === 2);
    expect(sent[0]!.message).toEqual(sent[1]!.message);
    expect(sent[0]!.id).not.toBe(sent[1]!.id);
  });
});
