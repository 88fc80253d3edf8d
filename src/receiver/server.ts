import { createServer, type Server } from 'node:http';
import type Koa from 'koa';

export interface ListeningReceiver {
  server: Server;
  url: string;
  /** Stops accepting connections and waits for in-flight requests to finish. */
  close(): Promise<void>;
}

export interface ServerTimeouts {
  /** Whole request, headers and body. */
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

export const DEFAULT_SERVER_TIMEOUTS: ServerTimeouts = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
};

/**
 * Listens with timeouts that shed slow clients (a slowloris cannot hold a socket open). Node
 * enforces the request and headers timeouts only when it sweeps its connections, every 30 s by
 * default; sweeping every second keeps them close to their configured values.
 */
export function listen(
  app: Koa,
  port: number,
  host: string,
  timeouts: Partial<ServerTimeouts> = {}
): Promise<ListeningReceiver> {
  const { requestTimeoutMs, headersTimeoutMs, keepAliveTimeoutMs } = { ...DEFAULT_SERVER_TIMEOUTS, ...timeouts };
  return new Promise((resolveListen, reject) => {
    const server = createServer(
      {
        requestTimeout: requestTimeoutMs,
        headersTimeout: headersTimeoutMs,
        connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(headersTimeoutMs / 4))),
      },
      app.callback()
    );
    server.keepAliveTimeout = keepAliveTimeoutMs;
    server.once('error', reject);
    server.once('listening', () => {
      const address = server.address();
      const actualPort = typeof address === 'object' && address ? address.port : port;
      const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
      resolveListen({
        server,
        url: `http://${shownHost}:${actualPort}`,
        close: () =>
          new Promise<void>((resolveClose) => {
            server.close(() => resolveClose());
            server.closeIdleConnections();
          }),
      });
    });
    server.listen(port, host);
  });
}
