/*
 * A throw-away PostgreSQL server for integration tests: initdb into a temp dir, pg_ctl start on a
 * free port, one fresh database per startPostgres() call. With TEST_DATABASE_URL set (CI with a
 * service container), a fresh database is created on that server instead.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

export interface TestPostgres {
  url: string;
  stop(): Promise<void>;
  /** Stops the server but keeps its data (fault tests); only for a server this helper started. */
  pause(): Promise<void>;
  /** Starts a paused server again on the same port. */
  resume(): Promise<void>;
}

function findBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const bin = join(root, version, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return bin;
  }
  throw new Error(
    'PostgreSQL server binaries not found under /usr/lib/postgresql: install postgresql or set TEST_DATABASE_URL'
  );
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))
      );
    });
  });
}

const isRoot = process.getuid?.() === 0;

/** initdb and postgres refuse to run as root, so as root the commands run as the `postgres` user. */
function asServerUser(command: string, args: string[]): [string, string[]] {
  if (!isRoot) return [command, args];
  const runuser = ['/usr/sbin/runuser', '/sbin/runuser'].find((path) => existsSync(path));
  if (runuser) return [runuser, ['-u', 'postgres', '--', command, ...args]];
  const quoted = [command, ...args].map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');
  return ['su', ['postgres', '-s', '/bin/sh', '-c', quoted]];
}

function run(command: string, args: string[], cwd: string): Promise<void> {
  const [file, argv] = asServerUser(command, args);
  return new Promise((resolveRun, reject) => {
    // cwd: initdb and pg_ctl fail when the server user cannot read the current directory.
    execFile(file, argv, { cwd, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} failed: ${error.message}\n${stdout}${stderr}`));
      else resolveRun();
    });
  });
}

async function createDatabase(adminUrl: string): Promise<string> {
  const name = `test_${randomBytes(6).toString('hex')}`;
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return name;
}

async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

async function onExistingServer(adminUrl: string): Promise<TestPostgres> {
  const name = await createDatabase(adminUrl);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const unsupported = async (): Promise<void> => {
    throw new Error('pause/resume needs the throw-away server: unset TEST_DATABASE_URL');
  };
  return { url: url.toString(), stop: () => dropDatabase(adminUrl, name), pause: unsupported, resume: unsupported };
}

async function startServer(): Promise<TestPostgres> {
  const bin = findBinDir();
  // As root the temp dir must be reachable by the postgres user, so it lives directly under /tmp.
  const dir = mkdtempSync(join(isRoot ? '/tmp' : tmpdir(), 'ringg-pg-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  if (isRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  let started = false;
  const stopSync = (): void => {
    if (started) {
      started = false;
      const [file, argv] = asServerUser(join(bin, 'pg_ctl'), ['stop', '-D', dataDir, '-m', 'immediate', '-w']);
      try {
        execFileSync(file, argv, { cwd: dir, stdio: 'ignore', timeout: 30_000 });
      } catch {
        // Already gone.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // pg_ctl daemonises the server, so a test process that dies without stop() would leave it running.
  process.once('exit', stopSync);
  try {
    // Durability is pointless for a throw-away cluster; skipping fsync makes start and tests fast.
    await run(
      join(bin, 'initdb'),
      ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync'],
      dir
    );
    let port = 0;
    let options = '';
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
      try {
        await run(join(bin, 'pg_ctl'), ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '30', '-o', options], dir);
        break;
      } catch (error) {
        // Another process may have taken the port between freePort() and the server's bind.
        if (attempt >= 3) {
          const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
          throw new Error(`${(error as Error).message}\n${log}`);
        }
      }
    }
    started = true;
    const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
    const name = await createDatabase(adminUrl);
    return {
      url: `postgres://postgres@127.0.0.1:${port}/${name}`,
      stop: async () => {
        process.removeListener('exit', stopSync);
        stopSync();
      },
      pause: () => run(join(bin, 'pg_ctl'), ['stop', '-D', dataDir, '-m', 'fast', '-w'], dir),
      resume: () =>
        run(join(bin, 'pg_ctl'), ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '30', '-o', options], dir),
    };
  } catch (error) {
    process.removeListener('exit', stopSync);
    stopSync();
    throw error;
  }
}

/** A fresh, empty database for one test file; stop() removes it (and the server it started). */
export function startPostgres(): Promise<TestPostgres> {
  const existing = process.env['TEST_DATABASE_URL'];
  return existing ? onExistingServer(existing) : startServer();
}
