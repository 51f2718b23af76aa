/**
 * A small pool of worker threads that hash and check passwords (argon2id; bcrypt lines of
 * htpasswd files) at a lowered scheduling priority (hash-worker.ts). On a machine whose cores are
 * all busy hashing — a login storm, a flood of guesses — the kernel then still gives the event
 * loop the core it needs, so verify's latency stays near idle while logins wait their turn.
 * Jobs queue in order; a thread that dies fails its job (never a hang) and is replaced.
 */
import type { Worker } from 'node:worker_threads';
import { moduleWorker } from '../module-worker.js';

type HashInput = { op: 'hash'; password: string };
type VerifyInput = { op: 'verify'; hash: string; password: string };
export type HashJob = { id: number } & (HashInput | VerifyInput);
export type HashReply = { id: number } & ({ ok: true; value: string | boolean } | { ok: false; message: string });

type Pending = { resolve: (value: string | boolean) => void; reject: (error: Error) => void };
type Job = { job: HashJob; pending: Pending };

export interface HashPoolOptions {
  threads: number;
  /** Added to the threads' nice value (Linux: 0 … 19); 0 leaves them at the process's priority. */
  nice: number;
}

export class HashPool {
  readonly #options: HashPoolOptions;
  readonly #idle: Worker[] = [];
  readonly #busy = new Map<Worker, Job>();
  readonly #queue: Job[] = [];
  #workers = 0;
  #nextId = 1;
  #closed = false;

  constructor(options: HashPoolOptions) {
    this.#options = options;
  }

  run(job: HashInput): Promise<string>;
  run(job: VerifyInput): Promise<boolean>;
  run(job: HashInput | VerifyInput): Promise<string | boolean> {
    if (this.#closed) return Promise.reject(new Error('the hashing pool is closed'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ job: { ...job, id: this.#nextId++ }, pending: { resolve, reject } });
      this.#dispatch();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const { pending } of this.#queue.splice(0)) pending.reject(new Error('the hashing pool is closed'));
    await Promise.all([...this.#idle.splice(0), ...this.#busy.keys()].map((w) => w.terminate()));
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      const worker = this.#idle.pop() ?? (this.#workers < this.#options.threads ? this.#spawn() : undefined);
      if (worker === undefined) return;
      const next = this.#queue.shift()!;
      this.#busy.set(worker, next);
      // A thread with work keeps the process alive (a CLI awaiting its hash); an idle one does not.
      worker.ref();
      worker.postMessage(next.job);
    }
  }

  #spawn(): Worker {
    const worker = moduleWorker(import.meta.url, './hash-worker', { workerData: { nice: this.#options.nice } });
    this.#workers++;
    worker.on('message', (reply: HashReply) => {
      const current = this.#busy.get(worker);
      this.#busy.delete(worker);
      worker.unref();
      if (current !== undefined && current.job.id === reply.id) {
        if (reply.ok) current.pending.resolve(reply.value);
        else current.pending.reject(new Error(reply.message));
      }
      if (this.#closed) return;
      this.#idle.push(worker);
      this.#dispatch();
    });
    const lost = (error: Error) => {
      const current = this.#busy.get(worker);
      this.#busy.delete(worker);
      const at = this.#idle.indexOf(worker);
      if (at >= 0) this.#idle.splice(at, 1);
      this.#workers--;
      current?.pending.reject(error);
      if (!this.#closed) this.#dispatch();
    };
    worker.on('error', lost);
    worker.on('exit', (code) => {
      if (this.#busy.has(worker) || this.#idle.includes(worker)) lost(new Error(`hashing thread exited (${code})`));
    });
    return worker;
  }
}
