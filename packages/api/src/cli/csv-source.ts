// A CSV file opened for `btdb import`: checked readable and its header read before anything
// is created, then its records with the line number each starts on.
import { open as openFile, type FileHandle } from 'node:fs/promises';
import { parse, type Parser } from 'csv-parse';

/** The file could not be read on, or a line is malformed past recovery (bad quoting): records end there. */
export class CsvStopped extends Error {}

export interface CsvRecord { fields: string[]; line: number }

export interface CsvSource {
  file: string;
  /** Column names of the header line (trimmed). */
  header: string[];
  sizeBytes: number;
  /** The records after the header; a malformed one (bad quoting) ends them with an error naming its line. */
  records: AsyncIterable<CsvRecord>;
  bytesRead(): number;
  close(): void;
}

function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return (err as Error).message;
}

/** Line breaks inside a record's fields (quoted values may span lines); \r\n counts once. */
function breaksIn(fields: readonly string[]): number {
  let n = 0;
  for (const f of fields) if (f.includes('\n') || f.includes('\r')) n += f.match(/\r\n|\r|\n/g)?.length ?? 0;
  return n;
}

const isBlank = (fields: readonly string[]): boolean => fields.length === 1 && fields[0].trim() === '';

export async function openCsv(file: string): Promise<CsvSource> {
  let fh: FileHandle;
  try {
    fh = await openFile(file, 'r');
  } catch (err) {
    throw new Error(`import: cannot read ${file}: ${reason(err)}`);
  }
  const st = await fh.stat();
  if (!st.isFile()) { await fh.close(); throw new Error(`import: cannot read ${file}: not a regular file`); }
  const stream = fh.createReadStream();
  let bytes = 0;
  // The parser is fed chunk by chunk and hands each record over synchronously (on_record),
  // so the records before a malformed one are all delivered before its error; the stream
  // interface would drop those still buffered. Line numbers are counted here, not taken from
  // csv-parse: its count drifts on \r\n files; for the same reason no skip_empty_lines (blank
  // lines are counted, then passed over).
  const parsed: string[][] = [];
  const parser: Parser = parse({ bom: true, relax_column_count: true, on_record: (r: string[]) => { parsed.push(r); return null; } });
  parser.on('error', () => undefined); // reported through the write and end callbacks
  async function* raw(): AsyncGenerator<string[]> {
    for await (const chunk of stream) {
      bytes += (chunk as Buffer).length;
      const err = await new Promise<Error | null>((resolve) => parser.write(chunk, (e) => resolve(e ?? null)));
      yield* parsed.splice(0);
      if (err !== null) throw err;
    }
    const err = await new Promise<Error | null>((resolve) => { parser.once('error', resolve); parser.end(() => resolve(null)); });
    yield* parsed.splice(0);
    if (err !== null) throw err;
  }
  const it = raw();
  let nextLine = 1;
  const next = async (): Promise<CsvRecord | null> => {
    for (;;) {
      const line = nextLine;
      let r: IteratorResult<string[]>;
      try {
        r = await it.next();
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? '';
        const what = code.startsWith('CSV_') ? `line ${line}: ${(err as Error).message}` : reason(err);
        throw new CsvStopped(`import: ${file}: ${what}; the import stopped there`);
      }
      if (r.done === true) return null;
      nextLine += 1 + breaksIn(r.value);
      if (!isBlank(r.value)) return { fields: r.value, line };
    }
  };
  const close = () => { void it.return(undefined); parser.destroy(); stream.destroy(); };
  let first: CsvRecord | null;
  try {
    first = await next();
  } catch (err) {
    close();
    throw err;
  }
  if (first === null) { close(); throw new Error(`import: ${file} is empty: a CSV file starts with a header line naming the columns`); }
  const header = first.fields.map((s) => s.trim());
  return {
    file,
    header,
    sizeBytes: st.size,
    records: { [Symbol.asyncIterator]: () => ({ next: async () => { const v = await next(); return v === null ? { done: true, value: undefined } : { done: false, value: v }; } }) },
    bytesRead: () => bytes,
    close,
  };
}
