import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ConfigError, loadConfig, parseDurationMs, parseSizeBytes } from '../../src/config';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      HOST: '0.0.0.0',
      WEBHOOK_PATH: '/webhooks/ringg',
      WEBHOOK_TOKENS: [],
      WEBHOOK_MAX_BODY: 1024 * 1024,
      TASK_QUEUE: 'ringg-calls',
      DATABASE_URL: 'sqlite:data/calls.db',
      CALL_IDLE_TIMEOUT: 24 * 3_600_000,
      SPOOL_MAX_BYTES: 1024 ** 3,
      LOG_LEVEL: 'info',
    });
  });

  it('splits WEBHOOK_TOKENS on commas for rotation', () => {
    const config = loadConfig({ WEBHOOK_TOKENS: 'aaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbb' });
    expect(config.WEBHOOK_TOKENS).toEqual(['aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb']);
  });

  it.each([
    ['PORT', 'abc', /^Invalid configuration: PORT .* \(got "abc"\)$/],
    ['PORT', '70000', /^Invalid configuration: PORT must be 1-65535/],
    [
      'CALL_IDLE_TIMEOUT',
      'soon',
      /^Invalid configuration: CALL_IDLE_TIMEOUT must be a duration like 24h \(got "soon"\)$/,
    ],
    ['WEBHOOK_MAX_BODY', 'huge', /^Invalid configuration: WEBHOOK_MAX_BODY must be a size like 1mb/],
    [
      'DATABASE_URL',
      'mysql://x',
      /^Invalid configuration: DATABASE_URL must be sqlite:PATH or postgres:\/\/… \(got "<redacted>"\)$/,
    ],
    [
      'WEBHOOK_TOKENS',
      'short',
      /^Invalid configuration: WEBHOOK_TOKENS every token must be at least 16 characters \(got "<redacted>"\)$/,
    ],
    ['LOG_LEVEL', 'loud', /^Invalid configuration: LOG_LEVEL /],
    ['WEBHOOK_PATH', 'no-slash', /^Invalid configuration: WEBHOOK_PATH must be a path starting with \//],
    ['CRM_URL', 'ftp://crm', /^Invalid configuration: CRM_URL must be an http\(s\) URL/],
  ])('rejects %s=%s with one line naming the variable', (variable, value, message) => {
    let error: unknown;
    try {
      loadConfig({ [variable]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('parses durations and sizes', () => {
    expect(parseDurationMs('1.5s')).toBe(1500);
    expect(parseDurationMs('24h')).toBe(86_400_000);
    expect(parseDurationMs('5 minutes')).toBeNull();
    expect(parseSizeBytes('1mb')).toBe(1_048_576);
    expect(parseSizeBytes('512')).toBe(512);
    expect(parseSizeBytes('1tb')).toBeNull();
  });
});

describe('main with a bad configuration', () => {
  it('exits 2 printing exactly one line that names the variable', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, '../../src/main.ts'), 'receiver'], {
      env: { PATH: process.env['PATH'], CALL_IDLE_TIMEOUT: 'abc' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      'Invalid configuration: CALL_IDLE_TIMEOUT must be a duration like 24h (got "abc")',
    ]);
  });

  it('requires WEBHOOK_TOKENS for a production receiver', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, '../../src/main.ts'), 'receiver'], {
      env: { PATH: process.env['PATH'], TEMPORAL_ADDRESS: '127.0.0.1:1' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toMatch(/^Invalid configuration: WEBHOOK_TOKENS is required/);
  });
});
