// Child of the start-up benchmark: one fresh process per measurement.
import { DuckDBInstance } from '@duckdb/node-api';
import { open } from 'backtracedb';
import { tradesSchema } from './data.js';

const [mode, dir] = process.argv.slice(2);
const files = `'${dir}/trades/*.parquet'`;
if (mode === 'duck-cli') {
  const inst = await DuckDBInstance.create(':memory:');
  const c = await inst.connect();
  const r = await c.runAndReadAll(`SELECT * FROM read_parquet(${files}) WHERE symbol = 'AAPL' ORDER BY ts LIMIT 3`);
  process.stdout.write(`${r.getRowObjectsJS().length}\n`);
} else if (mode === 'duck') {
  const t0 = performance.now();
  const inst = await DuckDBInstance.create(':memory:', { threads: '2' });
  const c = await inst.connect();
  await c.runAndReadAll(`SELECT count(*) FROM read_parquet(${files}) WHERE symbol = 'AAPL' AND price > 200 AND price < 900`);
  process.stdout.write(`${performance.now() - t0}\n`);
} else {
  const t0 = performance.now();
  const db = await open(dir);
  const t = await db.openTable(tradesSchema);
  await t.reader().filter('symbol', '==', 'AAPL').filter('price', '>', 200).filter('price', '<', 900).count();
  const ms = performance.now() - t0;
  await db.close();
  process.stdout.write(`${ms}\n`);
}
