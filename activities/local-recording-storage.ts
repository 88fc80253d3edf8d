import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RecordingStorage, StoredRecording } from './recording-storage';

/** Keys become file names: no dots (so `<key>.json` and temp files can't collide) and no slashes. */
const SAFE_KEY = /^[A-Za-z0-9_-]{1,200}$/;

const EXTENSIONS: Record<string, string> = {
  'audio/mpeg': '.mp3',
  'audio/mp3': '.mp3',
  'audio/wav': '.wav',
  'audio/x-wav': '.wav',
  'audio/wave': '.wav',
  'audio/ogg': '.ogg',
  'audio/webm': '.webm',
  'audio/mp4': '.m4a',
  'audio/aac': '.aac',
  'audio/flac': '.flac',
};

/** The sidecar `<key>.json`: written last, so its presence means the audio file is complete. */
interface Sidecar {
  file: string;
  bytes: number;
  sha256: string;
  contentType: string;
  storedAt: string;
}

function isSidecar(value: unknown): value is Sidecar {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v['file'] === 'string' &&
    typeof v['bytes'] === 'number' &&
    typeof v['sha256'] === 'string' &&
    typeof v['contentType'] === 'string'
  );
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

async function removeIfPresent(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }
}

/** Writes `data` to a temp file beside `target`, fsyncs it and renames it over `target`. */
async function writeFileAtomically(dir: string, target: string, data: string): Promise<void> {
  const temp = join(dir, `.${randomUUID()}.tmp`);
  const handle = await open(temp, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await removeIfPresent(temp);
    throw error;
  }
  await handle.close();
  await rename(temp, join(dir, target));
}

/** Recordings as files in one folder (default `data/recordings`), each with a JSON sidecar. */
export class LocalRecordingStorage implements RecordingStorage {
  readonly dir: string;

  constructor(dir = 'data/recordings') {
    this.dir = resolve(dir);
  }

  async put(key: string, body: AsyncIterable<Uint8Array>, meta: { contentType: string }): Promise<StoredRecording> {
    assertSafeKey(key);
    await mkdir(this.dir, { recursive: true });
    const previous = await this.readSidecar(key);
    const file = `${key}${EXTENSIONS[meta.contentType] ?? '.bin'}`;
    // Same folder as the target, so the rename is atomic; the leading dot keeps it out of listings.
    const temp = join(this.dir, `.${key}.${randomUUID()}.tmp`);

    const hash = createHash('sha256');
    let bytes = 0;
    const handle = await open(temp, 'wx');
    try {
      for await (const chunk of body) {
        hash.update(chunk);
        bytes += chunk.byteLength;
        await handle.write(chunk);
      }
      await handle.sync();
    } catch (error) {
      await handle.close();
      await removeIfPresent(temp);
      throw error;
    }
    await handle.close();
    // Drop the old sidecar first: a crash between the two renames then reads as "not archived"
    // rather than as the old checksum describing the new audio.
    if (previous) await removeIfPresent(join(this.dir, `${key}.json`));
    await rename(temp, join(this.dir, file));

    const sidecar: Sidecar = {
      file,
      bytes,
      sha256: hash.digest('hex'),
      contentType: meta.contentType,
      storedAt: new Date().toISOString(),
    };
    await writeFileAtomically(this.dir, `${key}.json`, JSON.stringify(sidecar, null, 2));
    await this.syncDir();
    // A re-archive with another content type lands under another extension; drop the old file.
    if (previous && previous.file !== file) await removeIfPresent(join(this.dir, previous.file));
    return this.toStored(sidecar);
  }

  async exists(key: string): Promise<StoredRecording | null> {
    assertSafeKey(key);
    const sidecar = await this.readSidecar(key);
    if (!sidecar) return null;
    // A cheap check that the audio is still there and whole; re-hashing is left to audits.
    try {
      const info = await stat(join(this.dir, sidecar.file));
      if (info.size !== sidecar.bytes) return null;
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return null;
      throw error;
    }
    return this.toStored(sidecar);
  }

  private async readSidecar(key: string): Promise<Sidecar | null> {
    let text: string;
    try {
      text = await readFile(join(this.dir, `${key}.json`), 'utf8');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return null;
      throw error;
    }
    try {
      const parsed: unknown = JSON.parse(text);
      return isSidecar(parsed) ? parsed : null;
    } catch {
      return null; // Unreadable sidecar: treat as not archived, so the next put rewrites it.
    }
  }

  private toStored(sidecar: Sidecar): StoredRecording {
    return {
      location: join(this.dir, sidecar.file),
      bytes: sidecar.bytes,
      sha256: sidecar.sha256,
      contentType: sidecar.contentType,
    };
  }

  /** Makes the renames themselves durable; some platforms can't open a folder, which is fine there. */
  private async syncDir(): Promise<void> {
    let handle;
    try {
      handle = await open(this.dir, 'r');
      await handle.sync();
    } catch (error) {
      if (!['EISDIR', 'EPERM', 'EINVAL', 'EACCES'].includes(errorCode(error) ?? '')) throw error;
    } finally {
      await handle?.close();
    }
  }
}

function assertSafeKey(key: string): void {
  if (!SAFE_KEY.test(key)) throw new Error(`Invalid recording key ${JSON.stringify(key.slice(0, 50))}`);
}
