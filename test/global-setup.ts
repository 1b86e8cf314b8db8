// Before the tests: build the `paperboy` binary (CLI tests run it, and a stale dist/ would test
// old code), and make a PostgreSQL server available to the tests that need one. CI starts the
// server itself and passes PAPERBOY_TEST_DATABASE_URL; without it a throwaway cluster is started
// here (test/pg/postgres-server.ts) and stopped after the run. Tests get the URL with
// inject('pgServerUrl') and make a database of their own on it (createTestDatabase).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { startPostgres } from './pg/postgres-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgServerUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  const given = process.env.PAPERBOY_TEST_DATABASE_URL?.trim();
  if (given) {
    project.provide('pgServerUrl', given);
    return () => {};
  }
  const server = await startPostgres();
  project.provide('pgServerUrl', server.url);
  return () => server.stop();
}
