import { createServer } from 'node:http';

export interface RecordingHost {
  /** Base URL the generated calls put in `recording_url` (`<base>/<call_id>.mp3`). */
  baseUrl: string;
  downloads(): number;
  close(): Promise<void>;
}

// A few kilobytes that start like an MP3 (ID3 header): enough for the archive step's checks.
const FAKE_MP3 = Buffer.concat([
  Buffer.from('ID3\u0004\u0000\u0000\u0000\u0000\u0000\u0000', 'latin1'),
  Buffer.alloc(8192, 0xff),
]);

/**
 * Stands in for Ringg's recording storage so the recording-archive step has something real to
 * download when the simulator drives a local pipeline.
 */
export async function startRecordingHost(host = '127.0.0.1'): Promise<RecordingHost> {
  let downloads = 0;
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || !req.url?.endsWith('.mp3')) {
      res.writeHead(404).end();
      return;
    }
    downloads++;
    res.writeHead(200, { 'Content-Type': 'audio/mpeg', 'Content-Length': FAKE_MP3.length });
    res.end(FAKE_MP3);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    baseUrl: `http://${host}:${port}`,
    downloads: () => downloads,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
