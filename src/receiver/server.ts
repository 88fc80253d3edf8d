import type { Server } from 'node:http';
import type Koa from 'koa';

export interface ListeningReceiver {
  server: Server;
  url: string;
  /** Stops accepting connections and waits for in-flight requests to finish. */
  close(): Promise<void>;
}

/** Listens with timeouts that shed slow clients (a slowloris cannot hold a socket open). */
export function listen(app: Koa, port: number, host: string): Promise<ListeningReceiver> {
  return new Promise((resolveListen, reject) => {
    const server = app.listen(port, host);
    server.requestTimeout = 30_000;
    server.headersTimeout = 10_000;
    server.keepAliveTimeout = 5_000;
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
  });
}
