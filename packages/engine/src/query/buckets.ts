// Time buckets: [origin + k*every, origin + (k+1)*every), k = floor((t - origin) / every),
// floor also for negative times (BigInt division truncates toward zero, so it is corrected).

export function bucketStart(t: bigint, origin: bigint, every: bigint): bigint {
  const d = t - origin;
  let k = d / every;
  if (d < 0n && k * every !== d) k -= 1n;
  return origin + k * every;
}
