/**
 * A fetch failure in a few words. Checked by name, not class: AbortSignal.timeout's
 * DOMException is not always `instanceof Error` (e.g. across realms); undici puts the useful
 * part (ECONNREFUSED, ENOTFOUND…) in `cause`.
 */
export function describeFetchError(error: unknown): string {
  const name = typeof error === 'object' && error !== null && 'name' in error ? error.name : undefined;
  if (name === 'TimeoutError') return 'timed out';
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
