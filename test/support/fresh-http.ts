/**
 * One HTTP request on a new TCP connection (no keep-alive pool), so that a cluster's primary
 * hands each request to the next worker; and polling helpers with bounded deadlines.
 */
import { request } from 'node:http';

export interface FreshResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function freshRequest(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<FreshResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: init.headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

export function freshVerify(baseUrl: string, token: string): Promise<number> {
  return freshRequest(`${baseUrl}/user/verify`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
}

/**
 * Polls `probe` until it returns true; resolves with the milliseconds it took, or rejects with
 * `what` after `deadlineMs`.
 */
export async function eventually(what: string, probe: () => Promise<boolean>, deadlineMs = 2000, everyMs = 10): Promise<number> {
  const start = performance.now();
  for (;;) {
    if (await probe()) return performance.now() - start;
    if (performance.now() - start > deadlineMs) throw new Error(`not within ${deadlineMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
