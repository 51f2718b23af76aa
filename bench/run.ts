/**
 * `npm run bench`: runs the chosen parts, prints a table per part and writes the results
 * with the machine's description into BENCHMARKS.md (between the generated-results markers,
 * keeping the hand-written analysis around them). `--smoke` only proves every part runs.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { BenchContext } from './lib/context.js';
import { describeMachine, type Machine } from './lib/machine.js';
import { parseOptions, type PartName } from './lib/options.js';
import { markdownPart, printPart, type PartResult } from './lib/report.js';
import { algorithmsPart } from './parts/algorithms.js';
import { loginPart } from './parts/login.js';
import { loginFloodPart } from './parts/login-flood.js';
import { logoutAllPart } from './parts/logout-all.js';
import { scalePart } from './parts/scale.js';
import { scaleOutParts } from './parts/scale-out.js';
import { verifierPart } from './parts/verifier.js';
import { verifyPart } from './parts/verify.js';

const PARTS: Record<PartName, (ctx: BenchContext) => Promise<PartResult[]>> = {
  verify: async (ctx) => [await verifyPart(ctx)],
  scale: async (ctx) => [await scalePart(ctx)],
  'logout-all': async (ctx) => [await logoutAllPart(ctx)],
  login: async (ctx) => [await loginPart(ctx)],
  'login-flood': async (ctx) => [await loginFloodPart(ctx)],
  'scale-out': scaleOutParts,
  verifier: async (ctx) => [await verifierPart(ctx)],
  algorithms: async (ctx) => [await algorithmsPart(ctx)],
};

const BEGIN = '<!-- bench:results:begin (written by npm run bench) -->';
const END = '<!-- bench:results:end -->';

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const machine = describeMachine();
  const started = Date.now();
  const ctx: BenchContext = {
    options,
    progress: (message) => console.log(`  [${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`),
  };
  console.log(`ats-auth bench${options.smoke ? ' (smoke)' : ''}: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, load ${machine.loadAverage}`);
  const results: PartResult[] = [];
  let failed = false;
  for (const part of options.parts) {
    console.log(`\n# part ${part}`);
    try {
      for (const result of await PARTS[part](ctx)) {
        results.push(result);
        printPart(result, options.smoke);
      }
    } catch (error) {
      failed = true;
      console.error(`part ${part} failed: ${(error as Error).stack ?? String(error)}`);
    }
  }
  if (options.output !== undefined && !failed) {
    writeReport(options.output, machine, options, results);
    console.log(`\nwrote ${options.output}`);
  }
  console.log(`\nbench ${failed ? 'FAILED' : 'done'} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return failed ? 1 : 0;
}

function writeReport(path: string, machine: Machine, options: ReturnType<typeof parseOptions>, results: PartResult[]): void {
  const generated = [
    BEGIN,
    `## Results of the last run`,
    '',
    `Run ${machine.date} with \`npm run bench -- --duration ${options.duration} --reps ${options.reps} --parts ${options.parts.join(',')}${options.profile ? ' --profile' : ''}\`.`,
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB; Node ${machine.node}; wrk ${machine.wrk}; load average at start ${machine.loadAverage} (the machine is shared: compare ratios, not absolute numbers).`,
    '',
    ...results.map(markdownPart),
    END,
  ].join('\n');
  const existing = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n\n';
  const start = existing.indexOf(BEGIN);
  const end = existing.indexOf(END);
  const text =
    start >= 0 && end > start
      ? existing.slice(0, start) + generated + existing.slice(end + END.length)
      : `${existing.trimEnd()}\n\n${generated}\n`;
  writeFileSync(path, text);
}

process.exitCode = await main();
