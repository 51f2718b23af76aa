/**
 * The chain of SPEC §10, the one place its rule lives: backends are asked in the configured
 * order; the first *accepted* wins, the first *rejected* ends the login (a password is never
 * tried against a second directory), *unknown* moves on, and when nobody accepted or rejected
 * but one backend could not be asked the answer is an outage (503), never a refusal.
 */
import type { Logger } from 'pino';
import { performance } from 'node:perf_hooks';
import { CredentialBackendUnavailable } from '../errors.js';
import type { CredentialBackend, CredentialOutcome, CredentialVerdict, CredentialVerifier } from './port.js';

/** Told about every backend answer: its outcome and how long it took, in seconds. */
export type CredentialObserver = (backend: string, outcome: CredentialOutcome, seconds: number) => void;

export function createCredentialChain(
  backends: readonly CredentialBackend[],
  options: { logger: Pick<Logger, 'warn'>; observe?: CredentialObserver },
): CredentialVerifier {
  const observe = options.observe ?? (() => {});
  return {
    backends: backends.map((b) => b.name),
    async verify(username, password): Promise<CredentialVerdict> {
      // An LDAP simple bind with an empty password is an anonymous bind that "succeeds".
      if (password === '') return { accepted: false, backend: null, reason: 'empty password' };
      const unavailable: { backend: string; cause: unknown }[] = [];
      for (const backend of backends) {
        const started = performance.now();
        let answer;
        try {
          answer = await backend.check(username, password);
        } catch (error) {
          observe(backend.name, 'unavailable', (performance.now() - started) / 1000);
          throw error;
        }
        observe(backend.name, answer.outcome, (performance.now() - started) / 1000);
        switch (answer.outcome) {
          case 'accepted':
            return answer.stillValid === undefined
              ? { accepted: true, subject: answer.subject, backend: backend.name }
              : { accepted: true, subject: answer.subject, backend: backend.name, stillValid: answer.stillValid };
          case 'rejected':
            return { accepted: false, backend: backend.name, reason: answer.reason };
          case 'unknown':
            continue;
          case 'unavailable':
            options.logger.warn({ backend: backend.name, err: answer.cause }, 'credential backend unavailable');
            unavailable.push({ backend: backend.name, cause: answer.cause });
            continue;
        }
      }
      if (unavailable.length > 0) {
        throw new CredentialBackendUnavailable(
          unavailable.map((u) => u.backend),
          unavailable.length === 1 ? unavailable[0]!.cause : new AggregateError(unavailable.map((u) => u.cause)),
        );
      }
      return { accepted: false, backend: null, reason: 'unknown user' };
    },
    async probe(report) {
      await Promise.all(
        backends.map(async (backend) => {
          if (backend.probe === undefined) return;
          try {
            await backend.probe();
            report(backend.name, undefined);
          } catch (error) {
            report(backend.name, error);
          }
        }),
      );
    },
    async close() {
      await Promise.allSettled(backends.map((b) => b.close?.()));
    },
  };
}
