import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';

/** Where Temporal is, read the Temporal way (TEMPORAL_* variables or a temporal.toml profile). */
export interface TemporalTarget {
  connectionOptions: NativeConnectionOptions;
  namespace: string;
  /** No address configured anywhere: `npm start` runs its own dev server. */
  embedded: boolean;
}

export function readTemporalTarget(): TemporalTarget {
  const { connectionOptions, namespace } = loadClientConnectConfig();
  return { connectionOptions, namespace: namespace ?? 'default', embedded: connectionOptions.address === undefined };
}

/**
 * A client whose connection is made on first use, so a receiver starts (and spools) while
 * Temporal is still down instead of failing at boot.
 */
export function createLazyClient(target: TemporalTarget): Client {
  const connection = Connection.lazy(target.connectionOptions as ConnectionOptions);
  return new Client({ connection, namespace: target.namespace });
}
