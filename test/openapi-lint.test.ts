/**
 * docs/openapi.json passes Redocly's recommended rules (redocly.yaml) with no error and no warning,
 * offline: the CLI runs with every network call refused (test/support/deny-network.mjs).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';

const root = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));
const CLI = root('node_modules/@redocly/cli/bin/cli.js');

interface LintReport {
  totals: { errors: number; warnings: number; ignored: number };
  problems: Array<{ ruleId: string; message: string; location: Array<{ pointer: string }> }>;
}

function lint(file: string): Promise<{ report: LintReport; stderr: string }> {
  const args = ['--import', root('test/support/deny-network.mjs'), CLI, 'lint', file, '--config', root('redocly.yaml'), '--format=json'];
  const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_NOTIFICATIONS: 'true', NO_COLOR: '1' };
  return new Promise((resolve, reject) => {
    // Exit code 1 when there are errors: the report says which.
    execFile(process.execPath, args, { env, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error && error.code !== 1) return reject(new Error(`redocly lint failed to run: ${error.message}\n${stderr}`));
      try {
        resolve({ report: JSON.parse(stdout) as LintReport, stderr });
      } catch {
        reject(new Error(`redocly lint printed no report:\n${stdout}\n${stderr}`));
      }
    });
  });
}

const summary = (report: LintReport) =>
  report.problems.map((p) => `${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`).join('\n');

describe('OpenAPI lint (Redocly, recommended rules)', () => {
  test('docs/openapi.json: 0 errors, 0 warnings, no network', async () => {
    const { report, stderr } = await lint(root('docs/openapi.json'));
    assert.doesNotMatch(stderr, /NETWORK-ATTEMPT/, 'the linter tried to reach the network');
    assert.deepEqual(report.totals, { errors: 0, warnings: 0, ignored: 0 }, summary(report));
  });

  test('the rules are in force: a document without servers and an operationId fails', async () => {
    const doc = JSON.parse(readFileSync(root('docs/openapi.json'), 'utf8')) as {
      servers?: unknown;
      paths: Record<string, Record<string, { operationId?: string }>>;
    };
    delete doc.servers;
    delete doc.paths['/user/login']!.post!.operationId;
    const dir = mkdtempSync(join(tmpdir(), 'ats-auth-lint-'));
    try {
      writeFileSync(join(dir, 'openapi.json'), JSON.stringify(doc));
      const { report, stderr } = await lint(join(dir, 'openapi.json'));
      assert.doesNotMatch(stderr, /NETWORK-ATTEMPT/, 'the linter tried to reach the network');
      const rules = new Set(report.problems.map((p) => p.ruleId));
      assert.ok(rules.has('no-empty-servers'), summary(report));
      assert.ok(rules.has('operation-operationId'), summary(report));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
