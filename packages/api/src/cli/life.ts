// btdb compact / drop / delete-before: a table's life from the command line. Each opens the
// database as its writer (it must not be open elsewhere), does one thing durably and says what.
import { open } from '../database.js';

/** A cutoff as typed: an integer in time-column units (int64). */
export function parseCutoff(text: string): bigint {
  if (!/^-?\d+$/.test(text.trim())) throw new Error(`cutoff must be an integer (time-column units), not "${text}"`);
  return BigInt(text.trim());
}

async function withTable<T>(db: string, table: string, fn: (t: Awaited<ReturnType<Awaited<ReturnType<typeof open>>['openTable']>>) => Promise<T>): Promise<T> {
  const d = await open(db, { poolSize: 1 });
  try {
    return await fn(await d.openTable(table));
  } finally {
    await d.close();
  }
}

export async function compactCommand(db: string, table: string, out: (s: string) => void): Promise<void> {
  const r = await withTable(db, table, (t) => t.compact());
  out(`table ${table}: compacted ${r.blocksBefore} block${r.blocksBefore === 1 ? '' : 's'} into ${r.blocksAfter}\n`);
}

export async function deleteBeforeCommand(db: string, table: string, cutoff: bigint, out: (s: string) => void): Promise<void> {
  const r = await withTable(db, table, async (t) => ({ removed: await t.deleteBefore(cutoff), left: t.rowCount }));
  out(`table ${table}: removed ${r.removed.toLocaleString('en-US')} row${r.removed === 1 ? '' : 's'} with time < ${cutoff}; ${r.left.toLocaleString('en-US')} left\n`);
}

export async function dropCommand(db: string, table: string, out: (s: string) => void): Promise<void> {
  const d = await open(db, { poolSize: 0 });
  try {
    await d.dropTable(table);
  } finally {
    await d.close();
  }
  out(`table ${table}: dropped from ${db}\n`);
}
