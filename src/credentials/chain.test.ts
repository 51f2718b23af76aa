import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CredentialBackendUnavailable, StoreUnavailable } from '../errors.js';
import { createCredentialChain } from './chain.js';
import type { CredentialAnswer, CredentialBackend } from './port.js';

function backend(name: string, answer: CredentialAnswer, asked: string[]): CredentialBackend {
  return {
    name,
    check: async () => {
      asked.push(name);
      return answer;
    },
  };
}

const accepted = (subject: string): CredentialAnswer => ({ outcome: 'accepted', subject });
const rejected: CredentialAnswer = { outcome: 'rejected', reason: 'wrong password' };
const unknown: CredentialAnswer = { outcome: 'unknown' };
const down: CredentialAnswer = { outcome: 'unavailable', cause: new Error('ECONNREFUSED') };
const quiet = { warn: () => {} };

function chain(answers: [string, CredentialAnswer][]) {
  const asked: string[] = [];
  const observed: string[] = [];
  const verifier = createCredentialChain(
    answers.map(([name, answer]) => backend(name, answer, asked)),
    { logger: quiet, observe: (b, outcome) => void observed.push(`${b}:${outcome}`) },
  );
  return { verifier, asked, observed };
}

test('the first accepted wins and names its backend and canonical subject', async () => {
  const { verifier, asked, observed } = chain([['builtin', unknown], ['ldap', accepted('marco')], ['keystone', accepted('x')]]);
  assert.deepEqual(await verifier.verify('MARCO', 'pw'), { accepted: true, subject: 'marco', backend: 'ldap' });
  assert.deepEqual(asked, ['builtin', 'ldap']);
  assert.deepEqual(observed, ['builtin:unknown', 'ldap:accepted']);
});

test('the first rejected ends the login: later backends are not asked', async () => {
  const { verifier, asked } = chain([['ldap', rejected], ['builtin', accepted('marco')]]);
  assert.deepEqual(await verifier.verify('marco', 'pw'), { accepted: false, backend: 'ldap', reason: 'wrong password' });
  assert.deepEqual(asked, ['ldap']);
});

test('unknown everywhere: refused, no backend decided', async () => {
  const { verifier } = chain([['builtin', unknown], ['htpasswd', unknown]]);
  assert.deepEqual(await verifier.verify('x', 'pw'), { accepted: false, backend: null, reason: 'unknown user' });
});

test('unavailable and nobody decided: an outage (credentials_unavailable), never a refusal', async () => {
  const { verifier, observed } = chain([['ldap', down], ['builtin', unknown]]);
  await assert.rejects(verifier.verify('x', 'pw'), (e: unknown) => {
    assert.ok(e instanceof CredentialBackendUnavailable);
    assert.equal(e.code, 'credentials_unavailable');
    assert.deepEqual(e.backends, ['ldap']);
    return true;
  });
  assert.deepEqual(observed, ['ldap:unavailable', 'builtin:unknown']);
});

test('break-glass: a later backend still accepts or rejects while an earlier one is down', async () => {
  assert.equal((await chain([['ldap', down], ['builtin', accepted('admin')]]).verifier.verify('admin', 'pw')).accepted, true);
  const refused = await chain([['ldap', down], ['builtin', rejected]]).verifier.verify('admin', 'pw');
  assert.deepEqual(refused, { accepted: false, backend: 'builtin', reason: 'wrong password' });
});

test('an empty password reaches no backend', async () => {
  const { verifier, asked } = chain([['ldap', accepted('anyone')]]);
  assert.equal((await verifier.verify('marco', '')).accepted, false);
  assert.deepEqual(asked, []);
});

test('a store failure inside a backend propagates as itself and is counted as unavailable', async () => {
  const observed: string[] = [];
  const failing: CredentialBackend = { name: 'builtin', check: () => Promise.reject(new StoreUnavailable(new Error('down'))) };
  const verifier = createCredentialChain([failing], { logger: quiet, observe: (b, o) => void observed.push(`${b}:${o}`) });
  await assert.rejects(verifier.verify('x', 'pw'), StoreUnavailable);
  assert.deepEqual(observed, ['builtin:unavailable']);
});
