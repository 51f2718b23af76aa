/**
 * Revocation propagation between instances (§3: p99 ≤ 100 ms on PostgreSQL). Starts two real
 * `ats-auth serve` processes on one fresh PostgreSQL database, revokes tokens one after another
 * through A, and measures the time from A's 204 to the first 401 from B, polling B over a
 * kept-alive connection.
 *
 *   npm run build && node --import tsx bench/propagation.ts [count=300] [--store sqlite|postgres]
 *
 * Tokens are forged with the test secret (any validly signed token can be logged out), so the
 * run measures the feed, not argon2. On SQLite the instances share one data directory.
 */
import { forge } from '../test/support/jwt.js';
import { removeDir, startServer, TEST_SECRET, type TestServer } from '../test/support/server.js';
import { storeEnv, type StoreKind } from '../test/support/stores.js';

const args = process.argv.slice(2);
const count = Number(args.find((a) => /^\d+$/.test(a)) ?? 300);
const store = (args.includes('--store') ? args[args.indexOf('--store') + 1] : 'postgres') as StoreKind;
const GIVE_UP_MS = 5000;

const db = await storeEnv(store);
const servers: TestServer[] = [];
try {
  const a = await startServer({ env: db.env });
  servers.push(a);
  servers.push(await startServer({ env: db.env, dataDir: store === 'sqlite' ? a.dataDir : undefined }));
  const b = servers[1]!;

  const delays: number[] = [];
  for (let i = 0; i < count; i++) {
    // A random pause, so revocations do not fall into step with B's poll timer.
    await new Promise((r) => setTimeout(r, Math.random() * 100));
    const token = forge(TEST_SECRET, { jti: `bench-${i}-${Math.random().toString(36).slice(2)}` });
    if ((await b.verify(token)).status !== 200) throw new Error('token not accepted before revocation');
    const res = await a.post('/user/logout', { headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 204) throw new Error(`logout answered ${res.status}`);
    const revokedAt = performance.now();
    for (;;) {
      const status = (await b.verify(token)).status;
      const elapsed = performance.now() - revokedAt;
      if (status === 401) {
        delays.push(elapsed);
        break;
      }
      if (elapsed > GIVE_UP_MS) throw new Error(`instance B still accepts a token ${GIVE_UP_MS} ms after revocation`);
    }
  }

  delays.sort((x, y) => x - y);
  const pct = (p: number) => delays[Math.min(delays.length - 1, Math.ceil((p / 100) * delays.length) - 1)]!;
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  console.log(
    `propagation ${store}, ${count} revocations between two instances: ` +
      `p50 ${ms(pct(50))}, p90 ${ms(pct(90))}, p99 ${ms(pct(99))}, max ${ms(delays.at(-1)!)}`,
  );
} finally {
  await Promise.all(servers.map((s) => s.stop()));
  const dirs = new Set(servers.map((s) => s.dataDir));
  for (const dir of dirs) removeDir(dir);
  await db.drop();
}
