/** Command-line options of `npm run bench`: duration, parts, repetitions and the smoke mode. */
export const PART_NAMES = ['verify', 'scale', 'logout-all', 'login', 'login-flood', 'scale-out', 'verifier', 'algorithms'] as const;
export type PartName = (typeof PART_NAMES)[number];

export interface BenchOptions {
  /** Seconds of load per timed run. */
  duration: number;
  parts: PartName[];
  /** Interleaved repetitions of each side-by-side comparison; the best run of each counts. */
  reps: number;
  /** Keep-alive connections of the verify load. */
  connections: number;
  /** Small data, short runs, no targets, BENCHMARKS.md untouched: proves every part still runs. */
  smoke: boolean;
  /** Write a CPU profile of ats-auth under verify load and summarise it. */
  profile: boolean;
  /** Where the report goes; undefined in smoke mode. */
  output: string | undefined;
}

const USAGE = `usage: npm run bench -- [--duration S] [--parts ${PART_NAMES.join(',')}] [--reps N]
                        [--connections N] [--profile] [--smoke] [--output FILE]`;

export function parseOptions(argv: string[]): BenchOptions {
  const smoke = argv.includes('--smoke');
  const options: BenchOptions = {
    duration: smoke ? 2 : 10,
    parts: [...PART_NAMES],
    reps: smoke ? 1 : 2,
    connections: 64,
    smoke,
    profile: false,
    output: smoke ? undefined : 'BENCHMARKS.md',
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) fail(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--smoke':
        break;
      case '--profile':
        options.profile = true;
        break;
      case '--duration':
        options.duration = positive(flag, value());
        break;
      case '--reps':
        options.reps = positive(flag, value());
        break;
      case '--connections':
        options.connections = positive(flag, value());
        break;
      case '--output':
        options.output = value();
        break;
      case '--parts': {
        const parts = value().split(',').map((p) => p.trim()).filter((p) => p !== '');
        const unknown = parts.filter((p) => !(PART_NAMES as readonly string[]).includes(p));
        if (unknown.length > 0 || parts.length === 0) fail(`unknown part(s): ${unknown.join(', ')}`);
        options.parts = parts as PartName[];
        break;
      }
      case '--help':
      case '-h':
        console.log(USAGE);
        process.exit(0);
      default:
        fail(`unknown option ${flag}`);
    }
  }
  return options;
}

function positive(flag: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) fail(`${flag} must be a positive integer, got '${raw}'`);
  return n;
}

function fail(message: string): never {
  console.error(`bench: ${message}\n${USAGE}`);
  process.exit(2);
}
