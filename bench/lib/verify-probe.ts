/**
 * Verify latency beside another load (a login storm, a flood of bad guesses): a few connections,
 * well below saturation, so the probe's p99 shows the event loop being blocked, not queueing.
 */
import { wrk, type WrkResult, type WrkRun } from './wrk.js';

export const PROBE_CONNECTIONS = 4;

export interface ProbeRuns {
  idle: WrkResult;
  /** The probe while `load` ran. */
  during: WrkResult;
  /** The load itself, run a second longer than the probe so it covers all of it. */
  load: WrkResult;
}

/** Warms up, times the probe alone, then the probe and `load` together, each for durationS. */
export async function probeIdleThenBeside(serverUrl: string, token: string, load: Omit<WrkRun, 'durationS'>, durationS: number): Promise<ProbeRuns> {
  const probe = { url: `${serverUrl}/user/verify`, connections: PROBE_CONNECTIONS, headers: { authorization: `Bearer ${token}` } };
  await wrk({ ...probe, durationS: 1 });
  const idle = await wrk({ ...probe, durationS });
  const [during, loadRun] = await Promise.all([wrk({ ...probe, durationS }), wrk({ ...load, durationS: durationS + 1 })]);
  return { idle, during, load: loadRun };
}
