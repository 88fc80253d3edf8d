import type { Logger } from 'pino';
import type { CallStore } from './call-store';

/**
 * A store that keeps trying to open in the background. The receiver uses it so that a database
 * down at start does not keep it from taking (and spooling) events: everything it asks of the
 * store is optional on the request path, and each method fails clearly until the store is open.
 */
export function createLazyCallStore(
  open: () => Promise<CallStore>,
  kind: CallStore['kind'],
  log: Logger,
  retryMs = 2000
): CallStore {
  let store: CallStore | null = null;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;

  const attempt = async (): Promise<void> => {
    try {
      const opened = await open();
      if (closed) return void (await opened.close());
      store = opened;
      log.info('store is available');
    } catch (error) {
      log.warn({ err: error, retry_in_ms: retryMs }, 'store unavailable; retrying');
      if (!closed) timer = setTimeout(() => void attempt(), retryMs);
    }
  };
  void attempt();

  const ready = (): CallStore => {
    if (!store) throw new Error('the store is not available yet');
    return store;
  };
  return {
    kind,
    migrate: async () => ready().migrate(),
    recordProgress: async (progress) => ready().recordProgress(progress),
    saveCall: async (call) => ready().saveCall(call),
    recordStepResults: async (results) => ready().recordStepResults(results),
    recordLateEvent: async (delivery) => ready().recordLateEvent(delivery),
    isFinished: async (callId) => ready().isFinished(callId),
    getCallView: async (callId) => ready().getCallView(callId),
    ping: async () => ready().ping(),
    async close() {
      closed = true;
      clearTimeout(timer);
      await store?.close();
    },
  };
}
