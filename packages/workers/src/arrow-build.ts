// Column views → an Arrow table, reading the shared buffers in place (bools are packed to bits).
import * as arrow from 'apache-arrow';
import type { ColumnView, TableSchema } from '@backtracedb/engine';

function packBits(bytes: Uint8Array): Uint8Array {
  const bits = new Uint8Array((bytes.length + 7) >>> 3);
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) bits[i >>> 3] |= 1 << (i & 7);
  return bits;
}

export function arrowTypeOf(view: ColumnView): arrow.DataType {
  switch (view.type) {
    case 'int64': return new arrow.Int64();
    case 'float64': return new arrow.Float64();
    case 'bool': return new arrow.Bool();
    case 'string': return new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
  }
}

/** Arrow's validity bitmap of a view's nulls: {} when it has none. */
function nullsOf(view: ColumnView, length: number): { nullBitmap?: Uint8Array; nullCount?: number } {
  const valid = view.valid;
  if (!valid) return {};
  let present = 0;
  for (let i = 0; i < length; i++) present += valid[i];
  if (present === length) return {};
  return { nullBitmap: packBits(valid.subarray(0, length)), nullCount: length - present };
}

export function arrowDataOf(view: ColumnView, length: number): arrow.Data {
  const nulls = nullsOf(view, length);
  switch (view.type) {
    case 'int64': return arrow.makeData({ type: new arrow.Int64(), length, data: view.values, ...nulls });
    case 'float64': return arrow.makeData({ type: new arrow.Float64(), length, data: view.values, ...nulls });
    case 'bool': return arrow.makeData({ type: new arrow.Bool(), length, data: packBits(view.values), ...nulls });
    case 'string': {
      const type = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
      const dictionary = arrow.vectorFromArray(view.dictionary as string[], new arrow.Utf8());
      return arrow.makeData({ type, length, data: view.values, dictionary, ...nulls });
    }
  }
}

/** One record batch over the given column views (names from the schema, in schema order). */
export function arrowTableOf(schema: Pick<TableSchema, 'columns'>, names: readonly string[], views: readonly ColumnView[], length: number): arrow.Table {
  const fields = views.map((v, i) => new arrow.Field(names[i], arrowTypeOf(v), schema.columns.find((c) => c.name === names[i])?.nullable === true));
  const arrowSchema = new arrow.Schema(fields);
  const children = views.map((v) => arrowDataOf(v, length));
  const struct = arrow.makeData({ type: new arrow.Struct(fields), length, nullCount: 0, children });
  return new arrow.Table([new arrow.RecordBatch(arrowSchema, struct)]);
}
