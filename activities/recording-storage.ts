/** Where an archived recording lives and what it is; enough to find and verify it later. */
export interface StoredRecording {
  /** An absolute path for local storage, a URL (e.g. `s3://bucket/key`) for a bucket. */
  location: string;
  bytes: number;
  /** Hex SHA-256 of the stored bytes. */
  sha256: string;
  contentType: string;
}

/**
 * Durable storage for call recordings, small enough for a local folder or an S3-compatible
 * bucket to implement. Keys are already safe names (letters, digits, `_` and `-`, no dots or
 * slashes) chosen by the caller; one key holds one recording.
 */
export interface RecordingStorage {
  /**
   * Streams `body` into `key`, replacing any earlier copy. A reader never sees a partial
   * recording: on any error (including one thrown by `body` itself, e.g. a size cap) `key` keeps
   * what it held before, no temporary data is left behind, and the error is rethrown unchanged.
   */
  put(key: string, body: AsyncIterable<Uint8Array>, meta: { contentType: string }): Promise<StoredRecording>;
  /** The stored recording under `key`, or null when there is none (or only an incomplete one). */
  exists(key: string): Promise<StoredRecording | null>;
}
