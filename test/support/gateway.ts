/** What the gateway end-to-end tests need from a gateway process: its URL, its log, a stop. */
import { createServer } from 'node:net';

/** Where the gateway's upstreams listen. */
export interface GatewayPorts {
  atsAuth: number;
  app: number;
}

export interface RunningGateway {
  url: string;
  log(): string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** True once the gateway answers HTTP, false if it exits first or takes over 10 s. */
export async function waitUntilServing(url: string, exited: Promise<void>): Promise<boolean> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 10_000;
  while (!gone && Date.now() < deadline) {
    try {
      // /user/login answers GET with 404 from ats-auth (or 502 if it is not up): either way the gateway serves.
      await (await fetch(`${url}/user/login`)).body?.cancel();
      return !gone;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return false;
}
