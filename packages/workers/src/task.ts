// The Piscina task module: every pool task is a plain object with a `kind`.
import { Piscina } from 'piscina';
import { transferablesOf, type EncodedBlock, type EncodeTask, type ScanResult } from '@backtracedb/engine';
import { encodeBlock } from './parquet-encode.js';
import { scanBlock, type ScanTask } from './scan-block.js';

export type PoolTask = EncodeTask | ScanTask;

export default function runTask(task: PoolTask): EncodedBlock | ScanResult {
  switch (task.kind) {
    case 'encode':
    {
      // Shared bytes are posted as they are; plain ones are handed over, not copied.
      const encoded = encodeBlock(task);
      const buf = encoded.parquet.buffer;
      if (!(buf instanceof ArrayBuffer)) return encoded;
      const movable = { [Piscina.transferableSymbol]: [buf], [Piscina.valueSymbol]: encoded };
      return Piscina.move(movable as unknown as Parameters<typeof Piscina.move>[0]) as unknown as EncodedBlock;
    }
    case 'scan': {
      const result = scanBlock(task);
      // Hand the result's buffers over instead of cloning them.
      const movable = { [Piscina.transferableSymbol]: transferablesOf(result), [Piscina.valueSymbol]: result };
      return Piscina.move(movable as unknown as Parameters<typeof Piscina.move>[0]) as unknown as ScanResult;
    }
  }
}
