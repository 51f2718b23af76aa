/**
 * Regression (#16, High): `user disable` / `user remove` raced a login in flight. The login had
 * read the user before the command changed it, then waited past the command's fresh not-before
 * and was issued a full-TTL token for a disabled or removed user. SPEC §15: every session issued
 * before the command answered ends, logins in flight at that moment included.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { startServer, type TestServer } from './support/server.js';
import { STORES, storeEnv, type StoreHandle } from './support/stores.js';

const PASSWORD = 'race-passw0rd';
/** Concurrent login loops: more than the argon2 thread pool, so some are always mid-hash. */
const LOOPS = 4;

async function refusedWithin(server: TestServer, token: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if ((await server.verify(token)).status === 401) return true;
    await sleep(20);
  }
  return false;
}

/**
 * Logs `name` in over and over from LOOPS clients while `command` runs; returns every token
 * obtained, and a canary token issued well before the command.
 */
async function loginsAcross(server: TestServer, name: string, command: string[]) {
  await server.addUser(name, PASSWORD);
  const canary = await server.login(name, PASSWORD);
  const tokens: string[] = [];
  let stop = false;
  const loop = async () => {
    while (!stop) {
      const res = await server.post('/user/login', {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: name, password: PASSWORD }),
      });
      if (res.status === 200) tokens.push(((await res.json()) as { token: string }).token);
      else assert.equal(res.status, 401, await res.text());
    }
  };
  const loops = Array.from({ length: LOOPS }, loop);
  await sleep(200);
  const result = await server.cli(command);
  stop = true;
  await Promise.all(loops);
  assert.equal(result.code, 0, result.stderr);
  assert.ok(tokens.length > 0, 'logins succeeded before the command');
  return { canary, tokens };
}

for (const kind of STORES) {
  describe(`a user change ends logins in flight [${kind}]`, () => {
    let server: TestServer;
    let store: StoreHandle;

    before(async () => {
      store = await storeEnv(kind);
      // The throttle counts an attempt before checking it: parallel good logins must not trip it.
      server = await startServer({
        env: { ...store.env, ATS_AUTH_THROTTLE_USER_ADDRESS_LIMIT: '0', ATS_AUTH_THROTTLE_ADDRESS_LIMIT: '0', ATS_AUTH_THROTTLE_USER_LIMIT: '0' },
      });
    });
    after(async () => {
      await server.stop();
      await store.drop();
    });

    for (const verb of ['disable', 'remove'] as const) {
      test(`no token from a login around \`user ${verb}\` verifies once the command has returned`, async () => {
        const name = `racer-${verb}`;
        const { canary, tokens } = await loginsAcross(server, name, ['user', verb, name]);
        // The server learns of the command through the change feed; once the canary is refused
        // it has, and from then on every token must be refused.
        assert.ok(await refusedWithin(server, canary, 3000), 'the command reached the server');
        const accepted = (await Promise.all(tokens.map((t) => server.verify(t)))).filter((r) => r.status !== 401);
        assert.equal(accepted.length, 0, `${accepted.length} of ${tokens.length} tokens still verify`);
      });
    }
  });
}
