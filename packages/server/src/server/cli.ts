#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from 'commander';
import { pino } from 'pino';
import { ConfigError, loadConfig } from './config.js';
import { auditVerify } from './audit-command.js';
import { startNode } from './node.js';

const port = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('a port is 0–65535');
  return n;
};

interface UpFlags {
  demo?: boolean;
  config?: string;
  port?: number;
  mqttPort?: number;
  data?: string;
  auth?: 'token' | 'none';
  logLevel?: string;
  store?: string;
  bus?: string;
  mqtt?: string;
  nodeId?: string;
}

/** Turns CLI flags into the config tree they override. */
function flagsToConfig(flags: UpFlags): Record<string, unknown> {
  const tree: Record<string, Record<string, unknown>> = {};
  const set = (section: string, key: string, value: unknown) => {
    if (value !== undefined) (tree[section] ??= {})[key] = value;
  };
  set('http', 'port', flags.port);
  set('mqtt', 'port', flags.mqttPort);
  set('auth', 'mode', flags.auth);
  set('log', 'level', flags.logLevel);
  set('store', 'url', flags.store);
  set('bus', 'url', flags.bus);
  set('mqtt', 'url', flags.mqtt);
  set('node', 'id', flags.nodeId);
  if (flags.demo) set('demo', 'enabled', true);
  return { ...tree, ...(flags.data !== undefined && { dataDir: flags.data }) };
}

async function up(flags: UpFlags): Promise<void> {
  const config = loadConfig({ file: flags.config, env: process.env, flags: flagsToConfig(flags) });
  const logger = pino({ level: config.log.level, base: { service: 'citybrain' } });
  const node = await startNode(config, logger);
  const host = 'localhost';
  const url = `http://${host}:${node.httpPort}`;
  logger.info(
    {
      url,
      httpPort: node.httpPort,
      mqttPort: node.mqttPort,
      dataDir: config.dataDir,
      demo: config.demo.enabled,
    },
    'citybrain is up',
  );
  const login =
    config.auth.mode === 'token' ? `/#token=${encodeURIComponent(node.adminToken)}` : '/';
  process.stderr.write(
    [
      '',
      `  citybrain is up${config.demo.enabled ? ' with a simulated city' : ''}`,
      `  cockpit   ${url}${login}`,
      `  NGSI-LD   ${url}/ngsi-ld/v1   OpenAPI ${url}/openapi.json`,
      `  MQTT      ${config.mqtt.url ? `external broker ${node.deviceUrl}` : `mqtt://${host}:${node.mqttPort}`}   health ${url}/health   metrics ${url}/metrics`,
      config.auth.mode === 'none'
        ? '  AUTHENTICATION IS OFF'
        : config.auth.adminToken
          ? '  API token: the configured auth.adminToken (Authorization: Bearer …)'
          : `  API token in ${config.dataDir}/admin-token (Authorization: Bearer …)`,
      '  Ctrl-C stops cleanly.',
      '',
    ].join('\n') + '\n',
  );
  let signals = 0;
  const shutdown = (signal: string) => {
    if (++signals > 1) {
      logger.warn('second signal: exiting without a clean shutdown');
      process.exit(130);
    }
    logger.info({ signal }, 'shutting down');
    node.stop().then(
      () => {
        logger.info('stopped cleanly');
        logger.flush();
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

const program = new Command('citybrain')
  .description('citybrain: the digital twin of a smart city (NGSI-LD, MQTT, cockpit)')
  .version('0.1.0')
  .showHelpAfterError();

program
  .command('up')
  .description('run a citybrain node: HTTP API and cockpit, embedded MQTT broker, rules')
  .option('--demo', 'add a simulated city whose devices publish over MQTT')
  .option('--config <file>', 'YAML or JSON configuration file (env: CITYBRAIN_CONFIG)')
  .option('--port <n>', 'HTTP port of the API and cockpit (default 8080)', port)
  .option('--mqtt-port <n>', 'port of the embedded MQTT broker (default 1883)', port)
  .option('--data <dir>', 'data directory (default ./data)')
  .option('--store <url>', 'PostgreSQL store shared by scale-out nodes (postgres://…)')
  .option('--bus <url>', 'NATS JetStream bus shared by scale-out nodes (nats://…)')
  .option('--mqtt <url>', 'external MQTT broker the devices use instead of the embedded one')
  .option('--node-id <id>', 'name of this node among several (default: host name and port)')
  .addOption(new Option('--auth <mode>', 'authentication of API calls').choices(['token', 'none']))
  .addOption(
    new Option('--log-level <level>', 'log level').choices([
      'fatal',
      'error',
      'warn',
      'info',
      'debug',
      'trace',
      'silent',
    ]),
  )
  .addHelpText(
    'after',
    '\nSettings are taken from defaults < config file < CITYBRAIN_* environment < flags.\nExample: citybrain up --demo --port 8080 --mqtt-port 1884\nScale-out: citybrain up --store postgres://db/citybrain --bus nats://nats:4222 --mqtt mqtt://broker:1883',
  )
  .action(up);

const audit = program.command('audit').description('the tamper-evident audit chain');
audit
  .command('verify')
  .description(
    'prove the audit chain intact, or name the first record that was edited, removed, inserted or reordered',
  )
  .option('--config <file>', 'YAML or JSON configuration file (env: CITYBRAIN_CONFIG)')
  .option('--data <dir>', 'data directory (default ./data)')
  .option('--store <url>', 'the PostgreSQL store of a scale-out deployment')
  .option(
    '--key <file...>',
    'public keys (SPKI PEM) trusted to sign checkpoints, besides the node’s',
  )
  .action(async (flags: { config?: string; data?: string; store?: string; key?: string[] }) => {
    const config = loadConfig({
      file: flags.config,
      env: process.env,
      flags: flagsToConfig({ data: flags.data, store: flags.store }),
    });
    process.exitCode = await auditVerify(config, flags.key ?? []);
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  const message =
    err instanceof ConfigError
      ? err.message
      : err instanceof Error
        ? (err.stack ?? err.message)
        : String(err);
  process.stderr.write(`citybrain: ${message}\n`);
  process.exit(2);
});
