/*
 * Scenario (b), the Temporal ceiling through HTTP: node:http, JSON.parse, then the same
 * signalWithStart the receiver makes (same workflow, options, signal shape and deadline), with
 * no auth, validation, logging or metrics. Anything the receiver costs beyond this is ours.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { callEventSignal } from '../../workflows/call-messages';
import { callWorkflow } from '../../workflows/call-workflow';
import { AgentIdKey, CallStatusKey, WorkspaceIdKey } from '../../workflows/search-attributes';
import type { CallEventDelivery } from '../../src/events';
import { announceReady, requiredEnv, stopWithParent } from './child-side';

const SIGNAL_TIMEOUT_MS = 3000;
const IDLE_TIMEOUT_MS = 24 * 3_600_000;

const taskQueue = requiredEnv('TASK_QUEUE');
const connection = Connection.lazy({ address: requiredEnv('TEMPORAL_ADDRESS') });
const client = new Client({ connection, namespace: 'default' });

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    void (async () => {
      try {
        const receivedAt = new Date().toISOString();
        const payload = JSON.parse(Buffer.concat(chunks).toString('utf8')) as CallEventDelivery['payload'];
        const delivery: CallEventDelivery = { deliveryId: randomUUID(), receivedAt, payload, schemaIssues: [] };
        const callId = payload.call_id;
        const agentId = typeof payload['agent_id'] === 'string' ? payload['agent_id'] : null;
        const workspaceId = typeof payload['workspace_id'] === 'string' ? payload['workspace_id'] : null;
        await client.connection.withDeadline(Date.now() + SIGNAL_TIMEOUT_MS, () =>
          client.workflow.signalWithStart(callWorkflow, {
            workflowId: callId,
            taskQueue,
            args: [{ idleTimeout: IDLE_TIMEOUT_MS }],
            signal: callEventSignal,
            signalArgs: [delivery],
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
            staticSummary: `Ringg call ${callId}`.slice(0, 200),
            typedSearchAttributes: [
              { key: CallStatusKey, value: 'in_progress' },
              ...(agentId ? [{ key: AgentIdKey, value: agentId }] : []),
              ...(workspaceId ? [{ key: WorkspaceIdKey, value: workspaceId }] : []),
            ],
          })
        );
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ status: 'accepted', call_id: callId }));
      } catch (error) {
        res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: String(error) }));
      }
    })();
  });
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  announceReady(typeof address === 'object' && address ? address.port : undefined);
});
stopWithParent(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await connection.close();
});
