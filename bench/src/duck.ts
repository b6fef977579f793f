// DuckDB, the reference every figure is divided by: a file database filled with its
// appender, and read_parquet over the engine's own block files.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { TradeColumns } from './data.js';

export interface Duck {
  readonly conn: DuckDBConnection;
  close(): void;
}

export async function openDuck(path: string, threads: number): Promise<Duck> {
  const instance = await DuckDBInstance.create(path, { threads: String(threads) });
  const conn = await instance.connect();
  return {
    conn,
    close: () => {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

export async function createTrades(duck: Duck): Promise<void> {
  await duck.conn.run('CREATE OR REPLACE TABLE trades (ts BIGINT, symbol VARCHAR, price DOUBLE, volume BIGINT)');
}

/** Row by row through the appender: DuckDB's fastest documented ingest path from Node. */
export async function appendTrades(duck: Duck, batches: readonly TradeColumns[]): Promise<void> {
  const app = await duck.conn.createAppender('trades');
  for (const b of batches) {
    for (let i = 0; i < b.ts.length; i++) {
      app.appendBigInt(b.ts[i]);
      app.appendVarchar(b.symbol[i]);
      app.appendDouble(b.price[i]);
      app.appendBigInt(b.volume[i]);
      app.endRow();
    }
  }
  app.closeSync();
}

export async function scalar(duck: Duck, sql: string): Promise<number> {
  const reader = await duck.conn.runAndReadAll(sql);
  const v = reader.getRows()[0][0];
  return Number(v);
}

export async function rowObjects(duck: Duck, sql: string): Promise<number> {
  const reader = await duck.conn.runAndReadAll(sql);
  return reader.getRowObjectsJS().length;
}
