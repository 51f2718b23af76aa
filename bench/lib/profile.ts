/**
 * CPU profile of ats-auth under verify load (`node --cpu-prof`), summarised as the functions
 * with the most self time, grouped by where they live (ats-auth, fastify, fast-jwt, node…).
 * The .cpuprofile file is kept for a flame graph (Chrome DevTools or speedscope open it).
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AtsInstance } from './ats.js';
import { atsContender, timeVerify, type VerifyTokens } from './contenders.js';
import type { BenchContext } from './context.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

export async function profileVerify(ctx: BenchContext, instance: AtsInstance, tokens: VerifyTokens): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ats-bench-prof-'));
  const contender = atsContender(instance, tokens, 'ats-auth (profiled)', ['--cpu-prof', '--cpu-prof-dir', dir]);
  await timeVerify(ctx, contender, tokens.good.token);
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (file === undefined) return ['profile: no .cpuprofile was written'];
  const summary = summarise(join(dir, file));
  return [
    `CPU profile of ats-auth under this load: ${join(dir, file)}. Self time by origin: ${summary.byOrigin}.`,
    `Top functions by self time: ${summary.top}.`,
  ];
}

export function summarise(path: string, topN = 12): { byOrigin: string; top: string } {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as { nodes: ProfileNode[] };
  const total = profile.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0) || 1;
  const byFunction = new Map<string, number>();
  const byOrigin = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url === '' ? '' : ` ${shortUrl(url)}:${lineNumber + 1}`;
    const key = `${functionName || '(anonymous)'}${where}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + hits);
    byOrigin.set(origin(url, functionName), (byOrigin.get(origin(url, functionName)) ?? 0) + hits);
  }
  const pct = (hits: number) => `${((100 * hits) / total).toFixed(1)} %`;
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return {
    byOrigin: sorted(byOrigin).map(([k, v]) => `${k} ${pct(v)}`).join(', '),
    top: sorted(byFunction).slice(0, topN).map(([k, v]) => `${k} ${pct(v)}`).join('; '),
  };
}

function origin(url: string, functionName: string): string {
  if (url === '') return ['(idle)', '(program)', '(garbage collector)'].includes(functionName) ? functionName : 'native';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return 'node';
  if (url.includes('/dist/')) return 'ats-auth';
  return 'other';
}

function shortUrl(url: string): string {
  const pkg = /node_modules\/(.*)$/.exec(url);
  if (pkg) return pkg[1]!;
  const dist = /\/(dist\/.*)$/.exec(url);
  return dist ? dist[1]! : url.replace(/^file:\/\//, '');
}
