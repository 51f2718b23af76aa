/** Runs checkpoint-writer.ts in a worker thread for one checkpoint and reports its outcome. */
import { moduleWorker } from '../../module-worker.js';
import { StoreUnavailable } from '../../errors.js';
import type { CheckpointJob, CheckpointOutcome } from './checkpoint-writer.js';

export function writeCheckpoint(job: CheckpointJob): Promise<void> {
  const { body } = job.checkpoint;
  return new Promise((resolve, reject) => {
    const worker = moduleWorker(import.meta.url, './checkpoint-writer', { workerData: job, transferList: [body.buffer as ArrayBuffer] });
    let outcome: CheckpointOutcome | undefined;
    worker.on('message', (message: CheckpointOutcome) => (outcome = message));
    worker.on('error', (error) => reject(new StoreUnavailable(error)));
    worker.on('exit', (code) => {
      if (outcome?.ok) resolve();
      else reject(new StoreUnavailable(new Error(outcome?.message ?? `checkpoint writer exited (${code})`)));
    });
  });
}
