import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Connection } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import type { SearchAttributeKey } from '@temporalio/common/lib/search-attributes';

export interface DevServerOptions {
  cliPath: string;
  /** gRPC port; 0 picks a free one. */
  port: number;
  /** UI port, or null for a headless server. */
  uiPort: number | null;
  /** SQLite file that keeps state across restarts; null keeps everything in memory. */
  dbFilename: string | null;
  searchAttributes: SearchAttributeKey<SearchAttributeType>[];
  namespace?: string;
  startTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface DevServer {
  address: string;
  uiUrl: string | null;
  namespace: string;
  stop(): Promise<void>;
}

const TYPE_NAMES: Record<string, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))
      );
    });
  });
}

async function waitUntilServing(
  address: string,
  child: ChildProcess,
  deadline: number,
  output: () => string
): Promise<void> {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `Temporal dev server exited (${child.exitCode ?? child.signalCode}) before serving:\n${output()}`
      );
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`Temporal dev server at ${address} did not answer in time: ${String(error)}\n${output()}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/**
 * Starts `temporal server start-dev` and waits until it answers gRPC. We launch it ourselves
 * rather than through the SDK's test environment, whose 5 s start limit is too tight on 2 cores.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const port = options.port === 0 ? await freePort() : options.port;
  const namespace = options.namespace ?? 'default';
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--http-port',
    String(await freePort()),
    '--metrics-port',
    String(await freePort()),
    '--namespace',
    namespace,
    '--log-level',
    'warn',
    '--log-format',
    'json',
    // Ringg call ids become workflow ids; SPEC allows up to 255 characters.
    '--dynamic-config-value',
    'limit.maxIDLength=255',
  ];
  args.push(...(options.uiPort === null ? ['--headless'] : ['--ui-port', String(options.uiPort)]));
  if (options.dbFilename) args.push('--db-filename', options.dbFilename);
  for (const key of options.searchAttributes) {
    args.push('--search-attribute', `${key.name}=${TYPE_NAMES[key.type] ?? key.type}`);
  }

  const child = spawn(options.cliPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));

  const address = `127.0.0.1:${port}`;
  await Promise.race([
    waitUntilServing(address, child, Date.now() + (options.startTimeoutMs ?? 60_000), () => output),
    spawnError,
  ]);
  options.log?.(`Temporal dev server ready at ${address}`);

  return {
    address,
    namespace,
    uiUrl: options.uiPort === null ? null : `http://localhost:${options.uiPort}`,
    stop: () =>
      new Promise<void>((resolveStop) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolveStop();
        const killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(killTimer);
          resolveStop();
        });
        child.kill('SIGTERM');
      }),
  };
}
