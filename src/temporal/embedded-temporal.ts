import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Logger } from 'pino';
import { CALL_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import type { Config } from '../config';
import { startDevServer } from './dev-server';
import { findTemporalCli } from './find-temporal-cli';

export interface EmbeddedTemporal {
  address: string;
  uiUrl: string | null;
  stop(): Promise<void>;
}

/** `npm start` without TEMPORAL_ADDRESS: a dev server with the UI, its state kept in data/. */
export async function startEmbeddedTemporal(config: Config, log: Logger): Promise<EmbeddedTemporal> {
  mkdirSync(config.DATA_DIR, { recursive: true });
  const dbFilename = resolve(join(config.DATA_DIR, 'temporal.db'));
  const cli = findTemporalCli((line) => log.info(line));
  if (cli) {
    log.info({ cli: cli.path, source: cli.source }, 'starting embedded Temporal dev server');
    const server = await startDevServer({
      cliPath: cli.path,
      port: config.TEMPORAL_DEV_PORT,
      uiPort: config.TEMPORAL_UI_PORT,
      dbFilename,
      searchAttributes: CALL_SEARCH_ATTRIBUTES,
    });
    return server;
  }
  // Last resort on machines with internet access: the SDK downloads the CLI itself.
  log.warn('Temporal CLI not found; falling back to the SDK download');
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'cached-download' },
      port: config.TEMPORAL_DEV_PORT,
      ui: true,
      uiPort: config.TEMPORAL_UI_PORT,
      dbFilename,
      searchAttributes: CALL_SEARCH_ATTRIBUTES,
      extraArgs: ['--dynamic-config-value', 'limit.maxIDLength=255'],
    },
  });
  return { address: env.address, uiUrl: `http://localhost:${config.TEMPORAL_UI_PORT}`, stop: () => env.teardown() };
}
