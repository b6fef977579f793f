// The int64 range, once: values outside it are refused at every boundary (appends, filters,
// CSV import, the remote API), and kernels rewrite `>=`/`<=` at its ends.
export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/** Whether a bigint fits int64. */
export function isInt64(v: bigint): boolean {
  return v >= INT64_MIN && v <= INT64_MAX;
}
