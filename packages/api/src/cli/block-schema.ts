// Does a block file's Parquet schema match table.json? Read from the file's footer, so a
// table.json edited by hand (a column renamed, float64 turned into int64) is caught.
import { readFooter } from '@backtracedb/workers';
import type { ResolvedSchema } from '@backtracedb/engine';

/** Parquet physical types by column type (docs/storage.md, block files). */
const PHYSICAL: Record<string, number> = { bool: 0, int64: 2, float64: 5, string: 6 };

/** A description of the first mismatch, or null when the file fits the schema. */
export function checkBlockSchema(bytes: Uint8Array, schema: ResolvedSchema, rowCount: number): string | null {
  let footer;
  try {
    footer = readFooter(bytes);
  } catch (err) {
    return `its Parquet footer cannot be read: ${(err as Error).message}`;
  }
  if (footer.rowCount !== rowCount) return `holds ${footer.rowCount} rows, the manifest says ${rowCount}`;
  for (const g of footer.rowGroups) {
    if (g.chunks.size !== schema.columns.length) return `has ${g.chunks.size} columns, table.json has ${schema.columns.length}`;
    for (const c of schema.columns) {
      const chunk = g.chunks.get(c.name);
      if (chunk === undefined) return `has no column "${c.name}" (table.json has it)`;
      if (chunk.physicalType !== PHYSICAL[c.type]) return `column "${c.name}" has Parquet physical type ${chunk.physicalType}, table.json says ${c.type}`;
      // A nullable column is OPTIONAL in its block files, any other REQUIRED.
      if (footer.optional.has(c.name) !== (c.nullable === true)) return `column "${c.name}" is ${footer.optional.has(c.name) ? 'OPTIONAL' : 'REQUIRED'} in the file, table.json says ${c.nullable === true ? 'nullable' : 'not nullable'}`;
    }
  }
  return null;
}
