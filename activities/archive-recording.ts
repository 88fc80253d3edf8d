import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import type { PostCallStep } from './post-call-step';
import { describeFetchError } from '../src/http/describe-fetch-error';

/** Types an audio file may come with; `binary/octet-stream` is what S3 serves for untyped uploads. */
const GENERIC_BINARY_TYPES = new Set(['application/octet-stream', 'binary/octet-stream']);

/** Expired or revoked links: Ringg's `recording_url` is only valid for 24 h, so retrying can't help. */
const GONE_STATUSES = new Set([403, 404, 410]);

const RETRYABLE_4XX = new Set([408, 429]);

/**
 * The storage key for a call's recording. Call ids are arbitrary strings up to 255 chars, so
 * the key is a readable slug (lower-case, so case-insensitive file systems can't merge two
 * calls) plus 128 bits of the id's SHA-256, which keeps distinct ids apart after slugging.
 */
export function recordingKey(callId: string): string {
  const slug = callId
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '_')
    .slice(0, 64);
  const digest = createHash('sha256').update(callId, 'utf8').digest('hex').slice(0, 32);
  return `${slug || 'call'}-${digest}`;
}

/** The media type without parameters; a missing header means octet-stream (RFC 9110 §8.3). */
function mediaType(header: string | null): string {
  const type = header?.split(';')[0]?.trim().toLowerCase();
  return type ? type : 'application/octet-stream';
}

function tooLarge(what: string, maxBytes: number): ApplicationFailure {
  return ApplicationFailure.nonRetryable(
    `Recording is larger than the ${maxBytes}-byte limit (RECORDING_MAX_BYTES): ${what}`,
    'RecordingTooLarge'
  );
}

/**
 * Passes the body through while counting it: stops the download as soon as it passes the
 * cap (a missing or lying Content-Length can't get past it) and rejects a truncated body.
 */
async function* countedBody(
  body: AsyncIterable<Uint8Array>,
  maxBytes: number,
  declaredBytes: number | null
): AsyncGenerator<Uint8Array> {
  let bytes = 0;
  for await (const chunk of body) {
    bytes += chunk.byteLength;
    if (bytes > maxBytes) throw tooLarge(`${bytes} bytes received so far`, maxBytes);
    yield chunk;
  }
  if (declaredBytes !== null && bytes !== declaredBytes) {
    throw new Error(`Recording download ended after ${bytes} of ${declaredBytes} bytes`);
  }
  if (bytes === 0) throw new Error('Recording download returned an empty body');
}

/**
 * Copies the call's recording into our own storage before Ringg's link expires (24 h).
 * Keyed by call id: a recording already archived is not downloaded again.
 */
export const archiveRecording: PostCallStep = {
  name: 'archiveRecording',
  options: {
    // Covers the download's own timeout (2 min in production) plus writing the file.
    startToCloseTimeout: '5m',
    // Keep trying through an outage for as long as Ringg's link can still be valid (24 h after the call).
    scheduleToCloseTimeout: '20h',
    retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '5m' },
  },
  async run(call, deps) {
    const sourceUrl = call.record.recordingUrl;
    if (!sourceUrl) return { status: 'skipped', detail: { reason: 'no recording URL on the call' } };

    const callId = call.record.callId;
    const { storage, maxBytes, timeoutMs } = deps.recordings;
    const key = recordingKey(callId);

    const archived = await storage.exists(key);
    if (archived) {
      deps.log.info({ callId, location: archived.location }, 'recording already archived');
      return { status: 'done', detail: { ...archived, sourceUrl } };
    }

    let protocol: string;
    try {
      protocol = new URL(sourceUrl).protocol;
    } catch {
      throw ApplicationFailure.nonRetryable('Recording URL is not a valid URL', 'RecordingUnavailable');
    }
    if (protocol !== 'http:' && protocol !== 'https:') {
      throw ApplicationFailure.nonRetryable(`Recording URL uses ${protocol}, not http(s)`, 'RecordingUnavailable');
    }

    let response: Response;
    try {
      response = await fetch(sourceUrl, {
        signal: AbortSignal.timeout(timeoutMs),
        // Ask for the bytes as stored, so Content-Length and the checksum describe the file itself.
        headers: { 'Accept-Encoding': 'identity' },
      });
    } catch (error) {
      throw new Error(`Recording download failed: ${describeFetchError(error)}`);
    }

    const status = response.status;
    if (status < 200 || status >= 300) {
      await response.body?.cancel();
      if (GONE_STATUSES.has(status)) {
        throw ApplicationFailure.nonRetryable(
          `Recording URL answered HTTP ${status}: the link has expired or the recording is gone`,
          'RecordingUnavailable'
        );
      }
      if (status >= 500 || RETRYABLE_4XX.has(status)) {
        throw new Error(`Recording download answered HTTP ${status}`);
      }
      throw ApplicationFailure.nonRetryable(`Recording URL answered HTTP ${status}`, 'RecordingUnavailable');
    }

    const contentType = mediaType(response.headers.get('content-type'));
    if (!contentType.startsWith('audio/') && !GENERIC_BINARY_TYPES.has(contentType)) {
      await response.body?.cancel();
      // Expired signed links often answer 200 with an HTML or XML error page.
      throw ApplicationFailure.nonRetryable(
        `Recording URL returned ${contentType}, not audio (an expired link often serves an error page)`,
        'RecordingNotAudio'
      );
    }

    const lengthHeader = response.headers.get('content-length');
    const encoded = (response.headers.get('content-encoding') ?? 'identity') !== 'identity';
    // With a content coding, Content-Length counts the encoded bytes; only the cap applies then.
    const declared = lengthHeader !== null && !encoded ? Number(lengthHeader) : NaN;
    const declaredBytes = Number.isSafeInteger(declared) && declared >= 0 ? declared : null;
    if (declaredBytes !== null && declaredBytes > maxBytes) {
      await response.body?.cancel();
      throw tooLarge(`Content-Length is ${declaredBytes}`, maxBytes);
    }
    if (!response.body) throw new Error('Recording download returned no body');

    let stored;
    try {
      stored = await storage.put(key, countedBody(response.body, maxBytes, declaredBytes), { contentType });
    } catch (error) {
      if (error instanceof ApplicationFailure) throw error;
      // A dropped connection, a timeout mid-body or a storage hiccup: the next attempt starts over.
      throw new Error(`Recording archive failed: ${describeFetchError(error)}`);
    }
    deps.log.info({ callId, location: stored.location, bytes: stored.bytes }, 'recording archived');
    return { status: 'done', detail: { ...stored, sourceUrl } };
  },
};
