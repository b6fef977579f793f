// comlink ships ESM builds without an exports map; these point TypeScript at their types.
declare module 'comlink/dist/esm/comlink.mjs' {
  export * from 'comlink';
}
declare module 'comlink/dist/esm/node-adapter.mjs' {
  import type { Endpoint } from 'comlink';
  /** Adapts a worker_threads MessagePort or Worker to comlink's Endpoint. */
  export default function nodeEndpoint(port: object): Endpoint;
}
