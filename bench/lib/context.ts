/** What every part gets: the options and a logger for progress lines. */
import type { BenchOptions } from './options.js';

export interface BenchContext {
  options: BenchOptions;
  progress(message: string): void;
}
