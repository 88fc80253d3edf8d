import { z } from 'zod';

/*
 * The only reader of process.env (besides @temporalio/envconfig for the Temporal connection).
 * A bad value stops the process with one line naming the variable.
 */

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const DURATION_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const SIZE = /^(\d+(?:\.\d+)?)(b|kb|mb|gb)?$/i;
const SIZE_BYTES: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

export function parseDurationMs(value: string): number | null {
  const match = DURATION.exec(value.trim());
  if (!match) return null;
  return Number(match[1]) * (DURATION_MS[match[2] as string] as number);
}

export function parseSizeBytes(value: string): number | null {
  const match = SIZE.exec(value.trim());
  if (!match) return null;
  return Math.floor(Number(match[1]) * (SIZE_BYTES[(match[2] ?? 'b').toLowerCase()] as number));
}

const duration = (example: string) =>
  z.string().transform((value, ctx) => {
    const ms = parseDurationMs(value);
    if (ms === null || ms <= 0) {
      ctx.addIssue({ code: 'custom', message: `must be a duration like ${example}` });
      return z.NEVER;
    }
    return ms;
  });

const size = (example: string) =>
  z.string().transform((value, ctx) => {
    const bytes = parseSizeBytes(value);
    if (bytes === null || bytes <= 0) {
      ctx.addIssue({ code: 'custom', message: `must be a size like ${example}` });
      return z.NEVER;
    }
    return bytes;
  });

const port = z.coerce.number().int('must be an integer').min(1, 'must be 1-65535').max(65535, 'must be 1-65535');
const optionalText = z
  .string()
  .optional()
  .transform((value) => (value && value.trim() !== '' ? value.trim() : null));

const EnvSchema = z.object({
  PORT: port.default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  WEBHOOK_PATH: z
    .string()
    .regex(/^\/[^\s?#]*$/, 'must be a path starting with /')
    .default('/webhooks/ringg'),
  WEBHOOK_TOKENS: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const tokens = (value ?? '')
        .split(',')
        .map((token) => token.trim())
        .filter(Boolean);
      if (tokens.some((token) => token.length < 16)) {
        ctx.addIssue({ code: 'custom', message: 'every token must be at least 16 characters' });
        return z.NEVER;
      }
      return tokens;
    }),
  WEBHOOK_MAX_BODY: size('1mb').default(1024 * 1024),
  TASK_QUEUE: z.string().min(1).default('ringg-calls'),
  DATABASE_URL: z
    .string()
    .regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, 'must be sqlite:PATH or postgres://…')
    .default('sqlite:data/calls.db'),
  CRM_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  CRM_TOKEN: optionalText,
  CALL_IDLE_TIMEOUT: duration('24h').default(24 * 3_600_000),
  SIGNAL_TIMEOUT: duration('3s').default(3000),
  SPOOL_DIR: z.string().min(1).default('data/spool'),
  SPOOL_MAX_BYTES: size('1gb').default(1024 ** 3),
  RECORDINGS_DIR: z.string().min(1).default('data/recordings'),
  RECORDING_MAX_BYTES: size('200mb').default(200 * 1024 ** 2),
  RINGG_API_KEY: optionalText,
  RINGG_API_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .default('https://prod-api.ringg.ai/ca/api/v0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WORKER_METRICS_ADDRESS: z
    .string()
    .regex(/^[^:\s]+:\d+$/, 'must be HOST:PORT')
    .optional(),
  DATA_DIR: z.string().min(1).default('data'),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_DEV_PORT: port.default(7233),
});

export type Config = z.output<typeof EnvSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment; throws ConfigError with one line naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    const raw = env[variable];
    throw new ConfigError(
      `Invalid configuration: ${variable} ${issue?.message ?? 'is invalid'}${raw === undefined ? '' : ` (got ${JSON.stringify(redact(variable, raw))})`}`
    );
  }
  return parsed.data;
}

function redact(variable: string, value: string): string {
  return /TOKEN|KEY|SECRET|PASSWORD|DATABASE_URL/.test(variable) ? '<redacted>' : value;
}
