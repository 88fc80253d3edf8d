/*
 * Registers the custom search attributes (CallStatus, RinggCallStatus, AgentId, WorkspaceId,
 * all Keyword) on the cluster named by TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE (or a temporal.toml
 * profile). Idempotent: attributes that already exist are left alone. Temporal Cloud does not
 * allow this through the API: add them in the Cloud UI or with tcld instead.
 */
import { Connection, type ConnectionOptions } from '@temporalio/client';
import { readTemporalTarget } from '../src/temporal/connect';
import { CALL_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

// temporal.api.enums.v1.IndexedValueType
const INDEXED_VALUE_TYPE: Record<string, number> = { KEYWORD: 2 };

async function main(): Promise<number> {
  const target = readTemporalTarget();
  if (target.embedded) {
    console.error('register-search-attributes: set TEMPORAL_ADDRESS (npm start registers them on its embedded server)');
    return 2;
  }
  const connection = await Connection.connect(target.connectionOptions as ConnectionOptions);
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace: target.namespace });
    const known = new Set(Object.keys(existing.customAttributes ?? {}));
    const missing = CALL_SEARCH_ATTRIBUTES.filter((key) => !known.has(key.name));
    if (missing.length > 0) {
      await connection.operatorService.addSearchAttributes({
        namespace: target.namespace,
        searchAttributes: Object.fromEntries(missing.map((key) => [key.name, INDEXED_VALUE_TYPE[key.type] ?? 2])),
      });
    }
    for (const key of CALL_SEARCH_ATTRIBUTES) {
      console.log(
        `${key.name.padEnd(16)} ${key.type.toLowerCase().padEnd(8)} ${missing.includes(key) ? 'added' : 'already registered'}`
      );
    }
    return 0;
  } finally {
    await connection.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`register-search-attributes: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
);
