import pino, { type Logger } from 'pino';

/** JSON lines on stdout. Secrets are redacted by path in case a header object is ever logged. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'ringg-pipeline' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'token',
          'tokens',
          '*.authorization',
          '*.Authorization',
          '*["x-webhook-secret"]',
          'headers.authorization',
        ],
        censor: '[redacted]',
      },
    },
    destination
  );
}
