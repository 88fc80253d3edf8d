/*
 * Scenario (b), the Temporal ceiling through HTTP: node:http, JSON.parse, then the same
 * signalWithStart the receiver makes (same workflow, options, signal shape and deadline), with
 * no auth, validation, logging or metrics. Anything the receiver costs beyond this is ours.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { callWorkflow } from '../../workflows/call-workflow';
import { callSignalWithStartOptions } from '../../src/receiver/signal-call-event';
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
        await client.connection.withDeadline(Date.now() + SIGNAL_TIMEOUT_MS, () =>
          client.workflow.signalWithStart(
            callWorkflow,
            callSignalWithStartOptions(delivery, taskQueue, IDLE_TIMEOUT_MS)
          )
        );
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ status: 'accepted', call_id: payload.call_id }));
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
