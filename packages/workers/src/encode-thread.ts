// An encoder thread: sealed blocks arrive on a MessagePort of their own, so the appending
// thread hands a block over without waiting for its event loop; each result goes back on the
// same port and bumps a shared counter, so that thread can wait for it (Atomics.wait) or
// pick it up synchronously (receiveMessageOnPort) in the middle of a loop that never yields.
import { workerData, type MessagePort } from 'node:worker_threads';
import type { EncodeTask } from '@backtracedb/engine';

export interface EncodeRequest { readonly id: number; readonly task: EncodeTask }
export type EncodeReply =
  | { readonly id: number; readonly encoded: import('@backtracedb/engine').EncodedBlock }
  | { readonly id: number; readonly error: string }
  /** Sent once, when the encoder has loaded (id 0): the thread may now be terminated safely. */
  | { readonly id: 0; readonly ready: true };

const { port, completions } = workerData as { port: MessagePort; completions: Int32Array };
// Loaded at start, so the first sealed block does not wait for parquet-wasm to compile.
const encoder = import('./parquet-encode.js');
encoder.catch(() => undefined).finally(() => port.postMessage({ id: 0, ready: true } satisfies EncodeReply));

port.on('message', (req: EncodeRequest) => {
  encoder.then(async ({ encodeBlock, encoderReady }) => {
    await encoderReady(req.task);
    const encoded = encodeBlock(req.task);
    const buf = encoded.parquet.buffer;
    port.postMessage({ id: req.id, encoded } satisfies EncodeReply, buf instanceof ArrayBuffer ? [buf] : []);
  }).catch((err: unknown) => {
    port.postMessage({ id: req.id, error: err instanceof Error ? err.message : String(err) } satisfies EncodeReply);
  }).finally(() => {
    Atomics.add(completions, 0, 1);
    Atomics.notify(completions, 0);
  });
});
