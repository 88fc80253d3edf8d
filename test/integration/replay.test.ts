import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { createHarness, eventually, type Harness } from '../helpers/pipeline-harness';
import { WORKFLOWS_PATH } from '../../src/worker';

const HISTORIES = join(__dirname, '../fixtures/histories');

describe('workflow determinism', () => {
  it.each(readdirSync(HISTORIES).filter((file) => file.endsWith('.json')))(
    'replays the recorded history %s with the current workflow code',
    async (file) => {
      const history = JSON.parse(readFileSync(join(HISTORIES, file), 'utf8'));
      const workflowId: string = history.events[0].workflowExecutionStartedEventAttributes.workflowId;
      await expect(
        Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH }, history, workflowId)
      ).resolves.toBeUndefined();
    }
  );

  describe('a history recorded now', () => {
    let harness: Harness;
    beforeAll(async () => {
      harness = await createHarness();
    });
    afterAll(async () => {
      await harness.close();
    });

    it('replays without a determinism error, duplicates and reordering included', async () => {
      const callId = randomUUID();
      const events = harness.callEvents('v3', callId);
      await Promise.all([...events].reverse().map((event) => harness.post(event)));
      await harness.post(events[1]);
      const handle = harness.client.workflow.getHandle(callId);
      await eventually(async () => ((await handle.describe()).status.name === 'COMPLETED' ? true : undefined));
      const history = await handle.fetchHistory();
      expect(history.events?.filter((event) => event.workflowExecutionSignaledEventAttributes).length).toBe(
        events.length + 1
      );
      await expect(
        Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH }, history, callId)
      ).resolves.toBeUndefined();
    });
  });
});
