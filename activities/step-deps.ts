import type { Logger } from 'pino';
import type { CallStore } from '../src/store/call-store';
import type { RecordingStorage } from './recording-storage';

/** What steps may touch, injected by the worker so tests can pass real local parts. */
export interface StepDeps {
  store: CallStore;
  log: Logger;
  crm: { url: string | null; token: string | null; timeoutMs: number };
  recordings: { storage: RecordingStorage; maxBytes: number; timeoutMs: number };
  ringg: { apiKey: string | null; apiUrl: string };
}
