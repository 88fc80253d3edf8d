import { isGrpcServiceError } from '@temporalio/client';

// gRPC status codes INVALID_ARGUMENT, FAILED_PRECONDITION and OUT_OF_RANGE: Temporal understood
// the request and refused it, so retrying the same event cannot succeed.
const REJECTIONS = new Set<number>([3, 9, 11]);

function grpcCode(error: unknown): number | undefined {
  if (isGrpcServiceError(error)) return error.code;
  const cause = (error as { cause?: unknown } | null)?.cause;
  return isGrpcServiceError(cause) ? cause.code : undefined;
}

/**
 * True when Temporal rejected the request itself (e.g. a payload over its size limit or a
 * workflow past its signal limit), as opposed to being unreachable, slow, or misconfigured —
 * those are worth spooling and retrying.
 */
export function isTemporalRejection(error: unknown): boolean {
  const code = grpcCode(error);
  return code !== undefined && REJECTIONS.has(code);
}
