// The worker thread of openInWorker: one Database, driven through comlink. Scan results go
// back as transferred typed arrays; row objects are built on the caller's side.
import { parentPort } from 'node:worker_threads';
import * as Comlink from 'comlink/dist/esm/comlink.mjs';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { transferablesOf, type FilterOp, type ScanResult, type TableSchema } from '@backtracedb/engine';
import { open, type Database } from '../database.js';
import type { Table } from '../table.js';
import type { EngineWorkerApi, RemoteQuery } from './protocol.js';

let db: Database | null = null;
const tables = new Map<string, Table<TableSchema>>();

function table(name: string): Table<TableSchema> {
  const t = tables.get(name);
  if (t === undefined) throw new Error(`table "${name}": not open in this database`);
  return t;
}

function database(): Database {
  if (db === null) throw new Error('the database is not open');
  return db;
}

const api: EngineWorkerApi = {
  async open(path, options) {
    if (db !== null) throw new Error('a database is already open in this worker');
    db = await open(path, options);
  },
  async createTable(schema, options) {
    const t = await database().createTable(schema, options);
    tables.set(t.name, t as unknown as Table<TableSchema>);
    return t.schemaJson;
  },
  async openTable(schemaOrName) {
    const t = await database().openTable(schemaOrName as string);
    tables.set(t.name, t);
    return t.schemaJson;
  },
  async appendRows(name, columns, count) {
    const t = table(name);
    const names = Object.keys(columns);
    const errors: Array<string | null> = new Array<string | null>(count).fill(null);
    // Fast path: the whole gathering as one batch. It is all-or-nothing, so on any error the
    // rows are appended one by one instead, each getting its own result.
    const complete = names.length === t.schema.columns.length && names.every((n) => t.schema.indexOf.has(n) && columns[n].length === count);
    if (complete) {
      try {
        t.appendBatch(columns as never);
        return errors;
      } catch { /* fall through: find out which rows fail */ }
    }
    for (let i = 0; i < count; i++) {
      const row: Record<string, unknown> = {};
      for (const n of names) { const v = columns[n][i]; if (v !== undefined) row[n] = v; }
      try { t.append(row as never); } catch (err) { errors[i] = (err as Error).message; }
    }
    return errors;
  },
  async appendBatch(name, columns) { return table(name).appendBatch(columns as never); },
  async sync(name) { await table(name).sync(); },
  async flush(name) { await table(name).flush(); },
  async state(name) { const t = table(name); return { rowCount: t.rowCount, maxBlockSize: t.maxBlockSize, useDiskStorage: t.useDiskStorage, lastTimestamp: t.lastTimestamp, compression: t.compression, retention: t.retention }; },
  async setMaxBlockSize(name, n) { table(name).maxBlockSize = n; },
  async setUseDiskStorage(name, on) { table(name).useDiskStorage = on; },
  async setCompression(name, c) { table(name).compression = c; },
  async setRetention(name, span) { table(name).retention = span; },
  async query(name, q: RemoteQuery) {
    const t = table(name);
    let r = t.reader();
    for (const p of q.predicates) r = (r.filter as (c: string, op: FilterOp, v?: unknown) => typeof r).call(r, t.schema.columns[p.column].name, p.op, p.value);
    if (q.select !== null) r = r.select(q.select);
    if (q.order !== undefined) r = r.order(q.order);
    if (q.limit !== null) r = r.limit(q.limit);
    if (q.aggregate !== undefined) return { count: 0, results: [], rows: await r.aggregate(q.aggregate).toArray() };
    if (q.latest !== undefined) return { count: 0, results: [], rows: await r.latest(q.latest).toArray() };
    const results: ScanResult[] = [];
    let count = 0;
    for await (const res of r.results(q.countOnly)) {
      count += res.rowCount;
      if (!q.countOnly && res.rowCount > 0) results.push(res);
      if (q.limit !== null && count >= q.limit) break;
    }
    const transfer = results.flatMap((res) => transferablesOf(res));
    return Comlink.transfer({ count, results }, transfer);
  },
  async deleteBefore(name, cutoff) { return table(name).deleteBefore(cutoff); },
  async compact(name) { return table(name).compact(); },
  async dropTable(name) { await database().dropTable(name); tables.delete(name); },
  async exportParquet(name, path, filters) {
    return table(name).exportParquet(path, { filters: filters as never });
  },
  async close() {
    const d = db;
    db = null;
    tables.clear();
    if (d !== null) await d.close();
  },
};

if (parentPort === null) throw new Error('worker-entry.js runs only as a worker thread');
Comlink.expose(api, nodeEndpoint(parentPort));
