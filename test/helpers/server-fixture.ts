/**
 * A web server app over a real task service with fixture agents (test/fixtures/bin) in a scratch
 * home: what the server tests drive with inject(), a loopback port or a browser.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/observability/logger.js';
import { createServerApp, type ServerApp } from '../../src/server/app.js';
import type { HttpEndpointFactory } from '../../src/service/http-endpoint.js';
import { createTaskService, type TaskService } from '../../src/service/task-service.js';
import { REPO_ROOT } from './cli.js';

export const FAKE_CLI = path.join(REPO_ROOT, 'test/fixtures/bin/fake-cli.mjs');
export const REVIEW_OK = 'Looks good.\n```json\n{"suggestions": []}\n```';
export const TEST_TOKEN = 'test-token-0123456789';

export function fixtureAgent(env: Record<string, string>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'generic', command: FAKE_CLI, env, ...extra };
}

export interface ServerFixture {
  readonly root: string;
  readonly home: string;
  readonly workspace: string;
  readonly configFile: string;
  readonly service: TaskService;
  readonly server: ServerApp;
  readonly auth: { authorization: string };
  close(): Promise<void>;
}

export async function openServerFixture(
  config: Record<string, unknown>,
  options: { uiDir?: string; allowConfigCommands?: boolean; endpoints?: readonly HttpEndpointFactory[] } = {},
): Promise<ServerFixture> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'aio-server-'));
  const home = path.join(root, 'home');
  const workspace = path.join(root, 'workspace');
  mkdirSync(home);
  mkdirSync(workspace);
  const configFile = path.join(root, 'agents.yaml');
  const settings = { create_reports: false, enable_context_memory: false, max_iterations: 1, ...((config['settings'] as Record<string, unknown> | undefined) ?? {}) };
  writeFileSync(configFile, stringify({ ...config, settings }));
  const env = { AI_ORCHESTRATOR_HOME: home };
  const load = () => loadConfig({ configPath: configFile, cwd: workspace, env });
  const logger = createLogger({ level: 'silent' });
  const service = createTaskService({ home, config: load().config, logger, env, baseDir: workspace });
  const endpointContext = { service, home, logger, version: '0.0.0-test', baseDir: workspace, env };
  const endpoints = await Promise.all((options.endpoints ?? []).map((create) => create(endpointContext)));
  const server = await createServerApp({
    service,
    endpoints,
    token: TEST_TOKEN,
    home,
    env,
    workspace,
    loadConfig: load,
    configPath: configFile,
    logger,
    version: '0.0.0-test',
    ...(options.uiDir ? { uiDir: options.uiDir } : {}),
    ...(options.allowConfigCommands ? { allowConfigCommands: true } : {}),
  });
  return {
    root,
    home,
    workspace,
    configFile,
    service,
    server,
    auth: { authorization: `Bearer ${TEST_TOKEN}` },
    async close() {
      await Promise.allSettled(endpoints.map((endpoint) => endpoint.close()));
      await service.close();
      await server.app.close();
    },
  };
}
