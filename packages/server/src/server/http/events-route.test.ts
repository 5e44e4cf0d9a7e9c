import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serviceAvailable, SERVICES } from '../../../tests/helpers/services.js';
import { createCommandServices, type Actor } from '../../brain/command/index.js';
import { MATRIX, pm25Raise, sensor, T0 } from '../../brain/command/test-fixture.js';
import { NatsBus } from '../../bus/nats/index.js';
import { ContextRegistry, LdContextResolver } from '../../ngsi-ld/index.js';
import { OPERATOR, ReadPolicy, SharingRegistry } from '../../sharing/index.js';
import { SqliteStore } from '../../store/sqlite/index.js';
import { accessGuard } from './access-guard.js';
import {
  CALLERS,
  enc,
  installTestEvents,
  openTestAuditor,
  startCommandTestApp,
  testApp,
  type CommandTestApp,
} from './command-test-app.js';
import { installEventsRoute } from './events-route.js';
import { frameOf, openSse, type SseStream } from './sse-test-client.js';

// The cockpit's event stream carries incident and task changes to the callers who take part in
// them, over real HTTP, from the bus: a change made by another node's services arrives too.
const nats = await serviceAvailable('nats');
const HOUR = 3_600_000;

let t: CommandTestApp;
let url: string;
const streams: SseStream[] = [];
const stream = async (who: string, base = url) => {
  const s = await openSse(base, who);
  streams.push(s);
  return s;
};

beforeEach(async () => {
  t = await startCommandTestApp();
  url = await t.app.listen({ host: '127.0.0.1', port: 0 });
  for (const row of MATRIX)
    expect(
      (await t.call('operator', 'PUT', `/api/v1/responsibility/${row.id}`, row)).statusCode,
    ).toBe(204);
});
afterEach(async () => {
  for (const s of streams.splice(0)) s.close();
  await t.close();
});

async function raiseInXihu(): Promise<string> {
  const alert = await t.command.alerts.raise(pm25Raise(sensor('a1'), T0));
  return (alert.incident as { object: string }).object;
}

async function dispatch(incident: string, assignee: string, title = 'Find the smoke') {
  const res = await t.call('env-xihu', 'POST', '/api/v1/tasks', {
    title,
    due: new Date(T0 + 2 * HOUR).toISOString(),
    assignee,
    incident,
  });
  expect(res.statusCode).toBe(201);
  return res.json().id as string;
}

describe('incident and task changes on the event stream', () => {
  it("pushes a task's dispatch and each change to its participants, small and versioned", async () => {
    const incidentId = await raiseInXihu();
    const [assignee, dispatcher] = [await stream('lingyin'), await stream('env-xihu')];
    const taskId = await dispatch(incidentId, 'lingyin');

    const created = await assignee.next(frameOf('task', taskId));
    expect(created.data).toEqual({
      id: taskId,
      change: 'dispatched',
      status: 'dispatched',
      version: 1,
      modifiedAt: new Date(T0).toISOString(),
    });
    await dispatcher.next(frameOf('task', taskId, 'dispatched'));
    // The assignee now takes part in the incident: it learns of it at once.
    expect((await assignee.next(frameOf('incident', incidentId))).data).toMatchObject({
      change: 'participant-added',
      status: 'open',
    });

    const base = `/api/v1/tasks/${enc(taskId)}`;
    expect((await t.call('lingyin', 'POST', `${base}/accept`)).statusCode).toBe(200);
    expect((await t.call('lingyin', 'POST', `${base}/progress`, { percent: 40 })).statusCode).toBe(
      200,
    );
    expect(
      (await t.call('lingyin', 'POST', `${base}/complete`, { report: 'Done' })).statusCode,
    ).toBe(200);
    const done = await dispatcher.next(frameOf('task', taskId, 'completed'));
    expect(done.data).toMatchObject({ status: 'completed', version: 4 });
    const changes = assignee.frames
      .filter(frameOf('task', taskId))
      .map((f) => (f.data as { change: string }).change);
    expect(changes).toEqual(['dispatched', 'accepted', 'progressed', 'completed']);
    // Nothing of the task's content goes out: the reader asks for it (an audited read).
    expect(Object.keys(done.data as object).sort()).toEqual([
      'change',
      'id',
      'modifiedAt',
      'status',
      'version',
    ]);
    const sent = (await t.entries()).filter((e) => e.action === 'cockpit.stream');
    expect(sent).toContainEqual(
      expect.objectContaining({
        actor: 'lingyin-user',
        resource: taskId,
        owner: 'env-xihu',
        result: 'allow',
        reason: 'participant',
      }),
    );
  });

  it('sends a client of another organisation nothing of a task it does not take part in', async () => {
    const incidentId = await raiseInXihu();
    const outsider = await stream('police');
    const assignee = await stream('lingyin');
    const taskId = await dispatch(incidentId, 'lingyin');
    expect(
      (await t.call('lingyin', 'POST', `/api/v1/tasks/${enc(taskId)}/accept`)).statusCode,
    ).toBe(200);
    await assignee.next(frameOf('task', taskId, 'accepted'));
    // Then a task for the outsider: frames go out in order, so anything of the first task
    // would have come before this one.
    const theirs = await dispatch(incidentId, 'police', 'Close the road');
    await outsider.next(frameOf('task', theirs, 'dispatched'));
    const ids = outsider.frames.map((f) => (f.data as { id: string }).id);
    expect(ids).not.toContain(taskId);
    expect(new Set(ids)).toEqual(new Set([incidentId, theirs]));
    expect(
      (await t.entries()).filter(
        (e) => e.action === 'cockpit.stream' && e.organisation === 'police',
      ),
    ).toHaveLength(ids.length);
  });

  it('tells the organisation an overdue task escalated to, which did not see it before', async () => {
    const incidentId = await raiseInXihu();
    const city = await stream('env-city');
    const taskId = await dispatch(incidentId, 'lingyin');
    t.clock.advance(3 * HOUR);
    expect((await t.command.tick()).overdueTasks).toBe(1);
    const escalated = await city.next(frameOf('task', taskId));
    expect(escalated.data).toMatchObject({ change: 'escalated', status: 'dispatched', version: 2 });
    expect(city.frames.filter(frameOf('task', taskId))).toHaveLength(1);
  });

  it("reaches a node's streams when another node made the change (a shared bus)", async () => {
    const audit = openTestAuditor(t.store.audit);
    const other = testApp();
    await installTestEvents(other, t.bus, audit.auditor);
    try {
      const elsewhere = await stream('lingyin', await other.listen({ host: '127.0.0.1', port: 0 }));
      const taskId = await dispatch(await raiseInXihu(), 'lingyin');
      await elsewhere.next(frameOf('task', taskId, 'dispatched'));
    } finally {
      for (const s of streams.splice(0)) s.close();
      await other.close();
      await audit.close();
    }
  });
});

/**
 * A node whose sharing policy declares the Alert dataset (owned by city-emergency) and grants
 * it to nobody: the stream's alert frames cannot come from grants.
 */
async function startPolicyNode(): Promise<{
  url: string;
  policy: ReadPolicy;
  close(): Promise<void>;
}> {
  const registry = new SharingRegistry(t.store, t.bus);
  for (const id of ['city-emergency', 'env-xihu', 'env-city', 'police'])
    await registry.putOrganisation(OPERATOR, { id, name: { en: id }, kind: 'department' });
  await registry.putDataset(OPERATOR, {
    id: 'Alert',
    owner: 'city-emergency',
    classification: 'internal',
  });
  const contexts = new LdContextResolver({
    registry: new ContextRegistry({
      collection: t.store.collection('jsonldContexts'),
      fetchContexts: false,
    }),
  });
  const policy = new ReadPolicy({ registry, bus: t.bus, resolveNames: (c) => contexts.resolve(c) });
  await policy.start();
  const app = testApp();
  await installEventsRoute(app, {
    bus: t.bus,
    access: accessGuard(policy),
    audit: t.auditor,
    entityIntervalMs: 50,
  });
  return {
    url: await app.listen({ host: '127.0.0.1', port: 0 }),
    policy,
    async close() {
      for (const s of streams.splice(0)) s.close();
      await app.close();
      await policy.stop();
    },
  };
}

/** A raise of a public-safety rule in gongshu, which the police handle (see the row below). */
const crowdRaise = (at: number) => {
  const raise = pm25Raise(sensor('c1', 'gongshu'), at);
  return { ...raise, rule: { ...raise.rule, id: 'crowd', category: 'publicSafety' } };
};
const POLICE_ROW = {
  id: 'safety-any',
  category: 'publicSafety',
  area: '*',
  chain: [{ organisation: 'police' }],
};

describe('alert frames on the event stream', () => {
  it('go to the organisations taking part in the alert, as GET /alerts decides, grant or not', async () => {
    expect(
      (await t.call('operator', 'PUT', `/api/v1/responsibility/${POLICE_ROW.id}`, POLICE_ROW))
        .statusCode,
    ).toBe(204);
    const node = await startPolicyNode();
    try {
      const [responsible, outsider, operator, nextLevel] = [
        await stream('env-xihu', node.url),
        await stream('police', node.url),
        await stream('operator', node.url),
        await stream('env-city', node.url),
      ];
      const alert = await t.command.alerts.raise(pm25Raise(sensor('a1'), T0));
      // The sharing policy would not let env-xihu read the alert: it has no grant.
      const session = await node.policy.session(CALLERS['env-xihu']!, undefined, undefined);
      expect(session.view(alert)).toBeUndefined();

      const got = await responsible.next(frameOf('alert', alert.id));
      expect(got.data).toMatchObject({
        id: alert.id,
        type: 'Alert',
        status: 'raised',
        responsibleOrganisation: 'env-xihu',
      });
      // The frame is the alert as GET /alerts/{id} answers it to the same caller.
      const read = await t.call('env-xihu', 'GET', `/api/v1/alerts/${enc(alert.id)}`);
      expect(read.statusCode).toBe(200);
      expect(got.data).toEqual(read.json());
      await operator.next(frameOf('alert', alert.id));

      // Frames go out in order: the outsider's own alert comes after the first one would have.
      const theirs = await t.command.alerts.raise(crowdRaise(T0 + 1000));
      await outsider.next(frameOf('alert', theirs.id));
      expect(outsider.frames.filter(frameOf('alert', alert.id))).toEqual([]);
      expect((await t.call('police', 'GET', `/api/v1/alerts/${enc(alert.id)}`)).statusCode).toBe(
        404,
      );
      await operator.next(frameOf('alert', theirs.id));
      expect(nextLevel.frames.filter(frameOf('alert', alert.id))).toEqual([]);

      // Escalated, the alert is env-city's too: its stream gets it from then on.
      t.clock.advance(11 * 60_000);
      await t.command.tick();
      const escalated = await nextLevel.next(frameOf('alert', alert.id));
      expect(escalated.data).toMatchObject({
        escalationLevel: 2,
        responsibleOrganisation: 'env-city',
      });

      const sent = (await t.entries()).filter((e) => e.action === 'cockpit.stream');
      expect(sent).toContainEqual(
        expect.objectContaining({
          actor: 'env-xihu-user',
          organisation: 'env-xihu',
          resource: alert.id,
          owner: 'env-xihu',
          result: 'allow',
          reason: 'owner',
          records: 1,
        }),
      );
      const policeSent = sent.filter((e) => e.organisation === 'police').map((e) => e.resource);
      expect(policeSent).toContain(theirs.id);
      expect(policeSent).not.toContain(alert.id);
    } finally {
      await node.close();
    }
  });

  it('come all, once each and in order, when many alerts change at once, each recorded', async () => {
    const responsible = await stream('env-xihu');
    // A burst: sources back after an outage clear their alerts together.
    const raised = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        t.command.alerts.raise(pm25Raise(sensor(`b${i}`), T0 + i)),
      ),
    );
    await Promise.all(raised.map((a, i) => t.command.alerts.resolve(a.id, T0 + 1000 + i)));
    const last = raised.at(-1)!.id;
    await responsible.next(
      (f) => frameOf('alert', last)(f) && (f.data as { status: string }).status === 'resolved',
    );
    const frames = responsible.frames.filter((f) => f.event === 'alert');
    const seen = frames.map(
      (f) => `${(f.data as { id: string }).id} ${(f.data as { status: string }).status}`,
    );
    expect(new Set(seen).size).toBe(seen.length);
    for (const a of raised) {
      // Its raise before its resolution, and nothing of it missing.
      const raisedAt = seen.indexOf(`${a.id} raised`);
      const resolvedAt = seen.indexOf(`${a.id} resolved`);
      expect(raisedAt).toBeGreaterThanOrEqual(0);
      expect(resolvedAt).toBeGreaterThan(raisedAt);
    }
    const sent = (await t.entries()).filter(
      (e) =>
        e.action === 'cockpit.stream' &&
        e.organisation === 'env-xihu' &&
        e.resource.startsWith('urn:ngsi-ld:Alert:'),
    );
    expect(sent).toHaveLength(frames.length);
  });
});

describe.skipIf(!nats)('incident and task changes across nodes over NATS JetStream', () => {
  it('reaches a client of one node when another node dispatches', async () => {
    const id = randomBytes(5).toString('hex');
    const options = {
      servers: SERVICES.nats,
      stream: `TEST_EVENTS_${id}`,
      subjectPrefix: `test-events-${id}`,
      onError: () => undefined,
    };
    const dir = mkdtempSync(join(tmpdir(), 'cb-events-nats-'));
    const [busA, busB] = [await NatsBus.connect(options), await NatsBus.connect(options)];
    const storeA = new SqliteStore({ file: join(dir, 'a.db') });
    const storeB = new SqliteStore({ file: join(dir, 'b.db') });
    const command = createCommandServices({
      store: storeA,
      bus: busA,
      logger: pino({ level: 'silent' }),
    });
    const audit = openTestAuditor(storeB.audit);
    const nodeB = testApp();
    await installTestEvents(nodeB, busB, audit.auditor);
    try {
      const client = await openSse(await nodeB.listen({ host: '127.0.0.1', port: 0 }), 'lingyin');
      streams.push(client);
      for (const row of MATRIX) await command.matrix.put(row);
      const alert = await command.alerts.raise(pm25Raise(sensor('a1'), Date.now()));
      const actor: Actor = { ...CALLERS['env-xihu']!, operator: false };
      const task = await command.tasks.dispatch(
        {
          title: 'Find the smoke',
          due: new Date(Date.now() + HOUR).toISOString(),
          assignee: 'lingyin',
          alert: alert.id,
        },
        actor,
      );
      expect((await client.next(frameOf('task', task.id), 15_000)).data).toMatchObject({
        change: 'dispatched',
        version: 1,
      });
      expect(await audit.entries()).toContainEqual(
        expect.objectContaining({ action: 'cockpit.stream', resource: task.id }),
      );
    } finally {
      for (const s of streams.splice(0)) s.close();
      await nodeB.close();
      await audit.close();
      await busA.close();
      await busB.close();
      const admin = await connect({ servers: SERVICES.nats });
      const jsm = await jetstreamManager(admin);
      for (const s of [options.stream, `${options.stream}_DEAD`])
        await jsm.streams.delete(s).catch(() => undefined);
      await admin.close();
      await storeA.close();
      await storeB.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
