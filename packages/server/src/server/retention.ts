import type { Logger } from 'pino';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Applies history retention: at start and then hourly, history older than `days` is dropped
 * (whole PostgreSQL partitions; several nodes may run it, the store serializes them).
 * Answers a stop function.
 */
export function startHistoryRetention(options: {
  days: number;
  dropBefore: (epochMs: number) => Promise<number>;
  logger: Logger;
  clock?: () => number;
  everyMs?: number;
}): () => void {
  const { days, dropBefore, logger } = options;
  const now = options.clock ?? Date.now;
  let running: Promise<void> | undefined;
  const run = () => {
    running ??= dropBefore(now() - days * DAY)
      .then((dropped) => {
        if (dropped > 0) logger.info({ dropped, days }, 'history retention dropped old partitions');
      })
      .catch((err: unknown) => logger.error({ err }, 'history retention failed'))
      .finally(() => (running = undefined));
  };
  run();
  const timer = setInterval(run, options.everyMs ?? HOUR);
  timer.unref();
  return () => clearInterval(timer);
}
