/**
 * The raw password-hash throughput ats-auth's login cannot beat: @node-rs/argon2 verify with
 * the service's own ARGON2_PARAMS, kept busy at `concurrency` in flight for `seconds`.
 * Run as its own process, pinned like the server. Prints {"opsPerSecond": n, "cpuMsPerOp": n}.
 */
import { hash, verify } from '@node-rs/argon2';
import { performance } from 'node:perf_hooks';
import { ARGON2_PARAMS } from '../../src/credentials/password-hash.js';

const seconds = Number(process.argv[2] ?? 5);
const concurrency = Number(process.argv[3] ?? 8);
const password = 'correct horse battery staple';
const stored = await hash(password, ARGON2_PARAMS);

let done = 0;
const deadline = performance.now() + seconds * 1000;
const started = performance.now();
async function worker(): Promise<void> {
  while (performance.now() < deadline) {
    if (!(await verify(stored, password))) throw new Error('argon2 verify failed');
    done++;
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));
const cpu = process.cpuUsage(); // all threads, thread pool included
console.log(JSON.stringify({ opsPerSecond: done / ((performance.now() - started) / 1000), cpuMsPerOp: (cpu.user + cpu.system) / 1000 / done }));
