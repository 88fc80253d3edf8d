/*
 * A local CRM for trying the pipeline: `npm run crm-sink` then start the pipeline with
 * CRM_URL=http://127.0.0.1:4000/crm. Answers 200, counts deliveries per Idempotency-Key, and
 * shows the counts at GET /stats (and on Ctrl-C).
 */
import { createServer } from 'node:http';

const port = Number(process.env['CRM_SINK_PORT'] ?? 4000);
const deliveries = new Map<string, number>();
let total = 0;

function stats(): { deliveries: number; calls: number; repeated: Record<string, number> } {
  const repeated = Object.fromEntries([...deliveries].filter(([, count]) => count > 1));
  return { deliveries: total, calls: deliveries.size, repeated };
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(stats()));
    return;
  }
  if (req.method !== 'POST') {
    res.writeHead(405).end();
    return;
  }
  req.resume();
  req.on('end', () => {
    const key = String(req.headers['idempotency-key'] ?? 'missing');
    deliveries.set(key, (deliveries.get(key) ?? 0) + 1);
    total++;
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
  });
});

server.listen(port, '127.0.0.1', () => console.log(`crm-sink: POST http://127.0.0.1:${port}/crm, stats at /stats`));
process.on('SIGINT', () => {
  console.log(JSON.stringify(stats()));
  process.exit(0);
});
