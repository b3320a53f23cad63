/** OrchestratorMCPClient in-process: a real MCP server over a real task service and fixture agents. */
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, readPid, waitGone } from '../../test/helpers/fake-cli.js';
import { configSchema } from '../config/schema.js';
import { createLogger } from '../observability/logger.js';
import { createTaskService } from '../service/task-service.js';
import { closeAllDatabases } from '../storage/database.js';
import { OrchestratorMCPClient } from './orchestrator-client.js';

const FAKE_CLI = path.resolve(import.meta.dirname, '../../test/fixtures/bin/fake-cli.mjs');
const REVIEW_OK = 'Looks good.\n```json\n{"suggestions": []}\n```';
const clients: OrchestratorMCPClient[] = [];

async function open(agents: Record<string, Record<string, string>>, workflows: Record<string, unknown>) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'aio-mcp-client-'));
  const home = path.join(root, 'home');
  mkdirSync(home);
  const config = configSchema.parse({
    agents: Object.fromEntries(Object.entries(agents).map(([name, env]) => [name, { type: 'generic', command: FAKE_CLI, env }])),
    workflows,
    settings: { create_reports: false, enable_context_memory: false, max_iterations: 1 },
  });
  const logger = createLogger({ level: 'silent' });
  const service = createTaskService({ home, config, logger, baseDir: root });
  const client = await OrchestratorMCPClient.inProcess(service, { home, logger, version: '0.0.0-test', baseDir: root });
  clients.push(client);
  return { client, service, root };
}

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  closeAllDatabases();
});

describe('OrchestratorMCPClient', () => {
  it('executes a task to its end with a progress call per step, and lists agents, workflows and health', async () => {
    const { client, service } = await open(
      { impl: { FAKE_STDOUT: 'implemented' }, rev: { FAKE_STDOUT: REVIEW_OK }, ref: { FAKE_STDOUT: 'refined' } },
      { default: [{ agent: 'impl', task: 'implement' }, { agent: 'rev', task: 'review' }, { agent: 'ref', task: 'refine' }] },
    );
    const progress: Progress[] = [];
    const result = await client.executeTask({ task: 'Build it' }, { onProgress: (p) => progress.push(p) });
    expect(result).toMatchObject({ success: true, status: 'completed', workflow: 'default', iterations: 1, final_output: 'refined' });
    expect(result.steps).toEqual(['[OK] impl (implement)', '[OK] rev (review)', '[OK] ref (refine)']);
    expect(progress.map((p) => p.progress)).toEqual([1, 2, 3]);
    expect(service.get(result.task_id)?.source).toBe('mcp');
    expect(JSON.stringify(await client.listAgents())).toContain('impl');
    expect(JSON.stringify(await client.listWorkflows())).toContain('default');
    expect(await client.health()).toHaveProperty('status');
  });

  it('starts a task, reads its status, and cancels it: the agent process is gone', async () => {
    const pidFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'aio-pid-')), 'agent.pid');
    const { client } = await open({ slow: { FAKE_HANG: '1', FAKE_PID_FILE: pidFile } }, { only: [{ agent: 'slow', task: 'implement' }] });
    const started = await client.startTask({ task: 'Hang', workflow: 'only' });
    const pid = await readPid(pidFile);
    const status = await client.status(started.task_id);
    expect(status).toMatchObject({ task_id: started.task_id, source: 'mcp' });
    expect(['pending', 'in_progress']).toContain(status.status);
    const cancelled = await client.cancel(started.task_id);
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelled: true });
    await waitGone(pid);
    expect(isAlive(pid)).toBe(false);
  });

  it('turns a tool error into a one-line OrchestratorError', async () => {
    const { client } = await open({ a: { FAKE_STDOUT: 'x' } }, { only: [{ agent: 'a', task: 'implement' }] });
    await expect(client.executeTask({ task: 'x', workflow: 'nope' })).rejects.toThrow(/Workflow 'nope' not found/);
  });
});
