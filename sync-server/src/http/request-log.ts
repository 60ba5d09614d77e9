/**
 * What the server's log may say about sync calls (push, pull, the live channel: everything under
 * /api/sync). The batches exist to hide when a person's device sent something: a log line stamping
 * each push to the millisecond, next to the Trust's proxy log, would undo them. So:
 * - sync calls get no per-request lines ("incoming request" / "request completed") at all;
 * - anything logged while serving one (an error, a debug line) goes through a second logger whose
 *   time is coarse: the start of the period, at least an hour and never less than the release interval.
 * Every other route keeps Fastify's request lines with exact times (method, path and status only;
 * see app.ts for the serializers).
 */
import { LogController, type FastifyServerOptions } from 'fastify';
import { pino, type LoggerOptions } from 'pino';
import type { Config } from '../config.js';

const HOUR_MS = 3_600_000;

export const isSyncCall = (url: string | undefined) => url !== undefined && /^\/api\/sync(\/|\?|$)/.test(url);

/** The coarsest of an hour and the release interval: no sync log line says more than this. */
export const syncLogGranularityMs = (config: Pick<Config, 'releaseIntervalMs'>) =>
  Math.max(HOUR_MS, config.releaseIntervalMs);

export function coarseTime(now: number, granularityMs: number): string {
  return new Date(Math.floor(now / granularityMs) * granularityMs).toISOString();
}

/** Fastify options: the app's logger, and sync calls' loggers and request lines as above. */
export function loggingOptions(
  config: Pick<Config, 'releaseIntervalMs' | 'logLevel'>,
  options: Omit<LoggerOptions, 'level' | 'timestamp'>,
): Pick<FastifyServerOptions, 'loggerInstance' | 'logController' | 'childLoggerFactory'> {
  const granularity = syncLogGranularityMs(config);
  const exact = pino({ ...options, level: config.logLevel });
  const coarse = pino({
    ...options,
    level: config.logLevel,
    timestamp: () => `,"time":"${coarseTime(Date.now(), granularity)}"`,
  });
  return {
    loggerInstance: exact,
    logController: new LogController({ disableRequestLogging: (req) => isSyncCall(req.url) }),
    childLoggerFactory: (logger, bindings, opts, rawReq) =>
      isSyncCall(rawReq.url)
        ? coarse.child({ ...bindings, calls: 'sync' }, opts)
        : logger.child(bindings, opts),
  };
}
