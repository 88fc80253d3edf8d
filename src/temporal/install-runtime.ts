import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from 'pino';

const LEVELS: Record<string, LogLevel> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN' };

/**
 * Routes the SDK's logs into our JSON logger and, when asked, serves the worker's Prometheus
 * metrics (the SDK runtime's own exporter). Must run before any worker connection exists.
 */
export function installTemporalRuntime(log: Logger, metricsAddress?: string): void {
  const level = LEVELS[log.level] ?? 'WARN';
  Runtime.install({
    logger: new DefaultLogger(level, ({ level: entryLevel, message, meta }) => {
      const method =
        entryLevel === 'TRACE' ? 'trace' : (entryLevel.toLowerCase() as 'debug' | 'info' | 'warn' | 'error');
      log[method]({ ...meta, source: 'temporal' }, message);
    }),
    // main.ts stops the receiver before the worker, so the SDK must not react to signals itself.
    shutdownSignals: [],
    telemetryOptions: metricsAddress ? { metrics: { prometheus: { bindAddress: metricsAddress } } } : {},
  });
}
