import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { findTemporalCli } from '../../src/temporal/find-temporal-cli';

const SCRIPT = join(__dirname, '../../scripts/register-search-attributes.ts');

function register(address: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', SCRIPT], {
    env: { PATH: process.env['PATH'], TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: 'default' },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('npm run register-search-attributes', () => {
  let server: DevServer;
  beforeAll(async () => {
    const cliPath = process.env['TEMPORAL_TEST_CLI_PATH'] ?? findTemporalCli()?.path ?? 'temporal';
    // A cluster that has never heard of our attributes, like a fresh self-hosted one.
    server = await startDevServer({ cliPath, port: 0, uiPort: null, dbFilename: null, searchAttributes: [] });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('adds the four attributes once, then finds them already registered', () => {
    const first = register(server.address);
    expect(first.status).toBe(0);
    expect(first.stdout.match(/ added$/gm)).toHaveLength(4);
    const second = register(server.address);
    expect(second.status).toBe(0);
    expect(second.stdout.match(/already registered$/gm)).toHaveLength(4);
    expect(second.stdout).toMatch(/^CallStatus\s+keyword\s+already registered$/m);
  });

  it('refuses to run without TEMPORAL_ADDRESS', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', SCRIPT], {
      env: { PATH: process.env['PATH'] },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/set TEMPORAL_ADDRESS/);
  });
});
