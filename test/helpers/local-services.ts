import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface CrmRequest {
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  answeredWith: number;
  /**
   * A 2xx for an Idempotency-Key that already had one: the CRM replays its first answer instead
   * of applying the call again (as Stripe-style idempotency keys work). Happens when a worker
   * dies between the CRM's answer and reporting the step done, so the step runs again.
   */
  replay: boolean;
}

/** Requests the CRM acted on: successful and not a replay of an earlier success. */
export function appliedCrmRequests(requests: CrmRequest[]): CrmRequest[] {
  return requests.filter((request) => request.answeredWith >= 200 && request.answeredWith < 300 && !request.replay);
}

/** What the CRM answers next: a status, or 'hang' to never answer (a timeout). */
export type CrmAnswer = number | 'hang';

/**
 * Real HTTP peers for the steps: a recording host (`/recordings/<name>`, MP3 bytes) and a
 * CRM (`POST /crm`) whose answers a test can script.
 */
export interface LocalServices {
  url: string;
  recordingUrl(callId: string): string;
  recordingRequests: string[];
  crmUrl: string;
  crmRequests: CrmRequest[];
  /** Answers to use before falling back to 200, consumed in order. */
  crmScript: CrmAnswer[];
  /** Ringg's call-details API: answers for these call ids, 404 for others. */
  ringgCallDetails: Map<string, unknown>;
  ringgApiKey: string;
  close(): Promise<void>;
}

export const RECORDING_BYTES = Buffer.from(`ID3${'\u0000'.repeat(7)}fake-mp3-frames`.repeat(64));

export async function startLocalServices(): Promise<LocalServices> {
  const recordingRequests: string[] = [];
  const crmRequests: CrmRequest[] = [];
  const crmScript: CrmAnswer[] = [];
  const hanging = new Set<ServerResponse>();
  const ringgCallDetails = new Map<string, unknown>();
  const ringgApiKey = 'ringg-test-api-key';

  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url?.startsWith('/recordings/') && req.url.endsWith('.html')) {
      // An expired or wrong link often answers with a web page instead of audio.
      recordingRequests.push(req.url);
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>link expired</html>');
      return;
    }
    if (req.method === 'GET' && req.url?.startsWith('/recordings/')) {
      recordingRequests.push(req.url);
      res.writeHead(200, { 'Content-Type': 'audio/mpeg', 'Content-Length': RECORDING_BYTES.length });
      res.end(RECORDING_BYTES);
      return;
    }
    if (req.method === 'GET' && req.url?.startsWith('/calling/call-details?')) {
      const query = new URL(req.url, 'http://local').searchParams;
      if (req.headers['x-api-key'] !== ringgApiKey) {
        res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"detail":"Invalid API key"}');
        return;
      }
      const details = ringgCallDetails.get(query.get('id') ?? '');
      res.writeHead(details ? 200 : 404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(details ?? { detail: 'Call not found' }));
      return;
    }
    if (req.method === 'POST' && req.url === '/crm') {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const answer = crmScript.shift() ?? 200;
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        const key = String(req.headers['idempotency-key'] ?? '');
        const replay =
          typeof answer === 'number' &&
          answer < 300 &&
          crmRequests.some(
            (earlier) =>
              earlier.headers['idempotency-key'] === key && earlier.answeredWith < 300 && earlier.answeredWith >= 200
          );
        crmRequests.push({ headers: req.headers, body, answeredWith: answer === 'hang' ? 0 : answer, replay });
        if (answer === 'hang') {
          hanging.add(res);
          return;
        }
        res.writeHead(answer, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ ok: answer < 300 }));
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    recordingUrl: (callId) => `${url}/recordings/${encodeURIComponent(callId)}.mp3`,
    recordingRequests,
    crmUrl: `${url}/crm`,
    crmRequests,
    crmScript,
    ringgCallDetails,
    ringgApiKey,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
