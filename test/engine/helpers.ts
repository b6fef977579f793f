// Shared helpers for the engine tests: temp databases and a seeded generator.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open, createPool, type Database } from 'backtracedb';

export const pool = createPool(2);

export async function withDb<T>(fn: (db: Database) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'btdb-test-'));
  const db = await open(dir, { pool });
  try {
    return await fn(db);
  } finally {
    await db.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

export { seededRandom as mulberry32 } from 'backtracedb/sample-data';
