/** A description of the machine a run happened on, for BENCHMARKS.md. */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  wrk: string;
  loadAverage: string;
  date: string;
}

export function describeMachine(): Machine {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    wrk: wrkVersion(),
    loadAverage: loadavg().map((l) => l.toFixed(2)).join(' '),
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}

function wrkVersion(): string {
  try {
    // wrk -v prints its banner and exits 1.
    execFileSync('wrk', ['-v'], { stdio: 'pipe' });
  } catch (error) {
    const out = String((error as { stdout?: Buffer }).stdout ?? '');
    const match = /wrk (\S+)/.exec(out);
    if (match) return match[1]!;
  }
  return 'unknown';
}
