/**
 * One thread of the password-hashing pool (hash-pool.ts). It lowers its own scheduling priority
 * first, so that when hashing and the event loop compete for a core, the event loop (verify, the
 * hot path) wins, and then hashes synchronously: the work runs here, not on libuv's pool, whose
 * threads cannot be told apart to lower theirs.
 */
import { hashSync, verifySync } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { ARGON2_PARAMS } from './password-hash.js';
import type { HashJob, HashReply } from './hash-pool.js';

lowerOwnPriority((workerData as { nice: number }).nice);

parentPort!.on('message', (job: HashJob) => {
  let reply: HashReply;
  try {
    reply = { id: job.id, ok: true, value: run(job) };
  } catch (error) {
    reply = { id: job.id, ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  parentPort!.postMessage(reply);
});

function run(job: HashJob): string | boolean {
  switch (job.op) {
    case 'hash':
      return hashSync(job.password, ARGON2_PARAMS);
    case 'verify':
      try {
        return isBcrypt(job.hash) ? bcrypt.compareSync(job.password, job.hash) : verifySync(job.hash, job.password);
      } catch {
        return false; // an unreadable hash matches no password
      }
  }
}

function isBcrypt(hash: string): boolean {
  return /^\$2[aby]\$/.test(hash);
}

/** Linux: /proc/thread-self names this thread's id, and setpriority on it affects this thread only. */
function lowerOwnPriority(nice: number): void {
  if (nice === 0) return;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, nice);
  } catch {
    // Elsewhere (or where lowering is refused) hashing keeps the process's priority.
  }
}
