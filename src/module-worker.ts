/** Worker threads running one of ats-auth's own modules, built or (in the unit tests) as TypeScript. */
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * A worker running the module `name` (say './hash-worker') beside the caller's module `from`
 * (its import.meta.url): the .js in dist, or under tsx the .ts, whose worker must register tsx's
 * loader itself (a worker does not inherit it).
 */
export function moduleWorker(from: string, name: string, options: WorkerOptions): Worker {
  if (from.endsWith('.ts')) {
    const url = JSON.stringify(new URL(`${name}.ts`, from).href);
    return new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${url}); })`, { ...options, eval: true });
  }
  return new Worker(new URL(`${name}.js`, from), options);
}
