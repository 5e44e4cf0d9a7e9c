// One scale-out cluster for a benchmark phase: a fresh PostgreSQL database, a fresh NATS
// JetStream stream, a private Mosquitto with dynamic security and N `citybrain up` nodes
// sharing them, as docs/deploy.md describes; and the teardown that leaves nothing behind.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect as natsConnect } from '@nats-io/transport-node';
import { pino } from 'pino';
import { startMosquitto } from './mosquitto.mjs';
import { adminQuery, databaseUrl } from './postgres-admin.mjs';
import { startServer } from './server.mjs';

const DIST_INGEST = fileURLToPath(
  new URL('../../packages/server/dist/ingest/index.js', import.meta.url),
);

/** Deletes a bus's streams (events and dead letters); answers what the event stream held. */
async function deleteStreams(natsUrl, stream) {
  const nc = await natsConnect({ servers: natsUrl.split(',') });
  try {
    const jsm = await jetstreamManager(nc);
    let state = null;
    try {
      state = (await jsm.streams.info(stream)).state;
    } catch {
      // never created
    }
    for (const name of [stream, `${stream}_DEAD`]) await jsm.streams.delete(name).catch(() => {});
    return state ? { messages: state.messages, bytes: state.bytes } : null;
  } finally {
    await nc.close();
  }
}

/**
 * Starts a cluster of `count` nodes; resolves {nodes, broker, database, token, stop()}. Each
 * node is what startServer returns, with the shared operator token and the broker's URL.
 * `stop()` SIGTERMs the nodes (answers their exits), stops the broker, deletes the streams and
 * drops the database (unless keepData), whatever failed before.
 */
export async function startCluster({
  count,
  adminUrl,
  natsUrl,
  run,
  nodeEnv = {},
  nodeArgs = [],
  keepData,
}) {
  const database = `cb_bench_scaleout_${run}_${count}n`;
  const stream = `CB_BENCH_SCALEOUT_${run}_${count}N`;
  const subjectPrefix = `cbbench-${run}-${count}n`;
  const token = randomBytes(24).toString('base64url');
  const ingest = { username: 'citybrain-ingest', password: randomBytes(18).toString('base64url') };
  const undo = [];
  const cluster = { database, stream, token, nodes: [], broker: null, streamState: null };
  cluster.stop = async () => {
    const results = [];
    for (const step of undo.reverse()) {
      try {
        results.push(await step());
      } catch (err) {
        results.push({ error: err.message });
      }
    }
    return results;
  };
  try {
    await adminQuery(adminUrl, `CREATE DATABASE ${database}`);
    undo.push(async () => {
      if (keepData) return { kept: database };
      await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      return { dropped: database };
    });
    undo.push(async () => {
      cluster.streamState = await deleteStreams(natsUrl, stream);
      return { deletedStream: stream };
    });
    const broker = await startMosquitto();
    cluster.broker = broker;
    undo.push(async () => {
      await broker.stop();
      return { brokerStopped: true };
    });
    // The operator's one-time step: the nodes' own account on the broker (docs/mqtt-external.md).
    const { MosquittoDynsec } = await import(pathToFileURL(DIST_INGEST).href);
    const dynsec = await MosquittoDynsec.connect({
      url: broker.url,
      ...broker.admin,
      logger: pino({ level: 'silent' }),
    });
    await dynsec.ensureIngestAccount({ ...ingest, group: 'citybrain' });
    await dynsec.close();

    const env = {
      CITYBRAIN_ADMIN_TOKEN: token,
      CITYBRAIN_BUS__STREAM: stream,
      CITYBRAIN_BUS__SUBJECT_PREFIX: subjectPrefix,
      CITYBRAIN_MQTT__USERNAME: ingest.username,
      CITYBRAIN_MQTT__PASSWORD: ingest.password,
      CITYBRAIN_MQTT__DYNSEC__USERNAME: broker.admin.username,
      CITYBRAIN_MQTT__DYNSEC__PASSWORD: broker.admin.password,
      CITYBRAIN_LOG_LEVEL: 'info',
      ...nodeEnv,
    };
    const start = (i) =>
      startServer({
        env,
        nodeArgs,
        args: [
          '--store',
          databaseUrl(adminUrl, database),
          '--bus',
          natsUrl,
          '--mqtt',
          broker.url,
          '--node-id',
          `bench-n${i + 1}`,
        ],
      });
    // The first node migrates the fresh database alone, then the others start together:
    // nodes starting together on an empty database can lose a CREATE SCHEMA race in the
    // migrations, which is not what this benchmark measures.
    const started = await Promise.allSettled([start(0)]);
    if (started[0].status === 'fulfilled')
      started.push(
        ...(await Promise.allSettled(Array.from({ length: count - 1 }, (_, i) => start(i + 1)))),
      );
    const up = started.filter((s) => s.status === 'fulfilled').map((s) => s.value);
    undo.push(async () => {
      const exits = await Promise.all(up.map((n) => n.stop()));
      // A scale-out node keeps nothing in its data directory; startServer made one each.
      for (const n of up) rmSync(n.dataDir, { recursive: true, force: true });
      return { nodeExits: exits };
    });
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    cluster.nodes = up.map((n, i) => ({
      ...n,
      name: `n${i + 1}`,
      token,
      mqttUrl: broker.url,
    }));
    return cluster;
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}
