/**
 * Honest health and memory: a user's cancel is not the agent's failure, only failures the agent
 * caused become mistakes in memory, and a cancelled or failed task resumes in place.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { MemoryManager } from '../context/memory-manager.js';
import { createLogger } from '../observability/logger.js';
import { createAgentHealthStore } from '../resilience/agent-health-store.js';
import { closeAllDatabases, databasePath, openDatabase } from '../storage/database.js';
import { createTaskService } from './task-service.js';

const FAKE_CLI = path.resolve(import.meta.dirname, '../../test/fixtures/bin/fake-cli.mjs');

function setup(agents: Record<string, Record<string, unknown>>, settings: Record<string, unknown> = {}) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'aio-health-'));
  const home = path.join(root, 'home');
  const cwd = path.join(root, 'repo');
  mkdirSync(home);
  mkdirSync(cwd);
  const config = configSchema.parse({
    agents: Object.fromEntries(Object.entries(agents).map(([name, env]) => [name, { type: 'generic', command: FAKE_CLI, env, resilience: { retry: { max_attempts: 1 } } }])),
    workflows: { only: [{ agent: 'worker', task: 'implement' }] },
    settings: { create_reports: false, max_iterations: 1, ...settings },
  });
  const service = createTaskService({ home, config, logger: createLogger({ level: 'silent' }), baseDir: root });
  return { service, home, cwd };
}

afterEach(() => closeAllDatabases());

describe('honest health and memory', () => {
  it('a cancel lowers no success rate and logs no mistake; an auth failure logs no mistake; a task failure does', async () => {
    const { service, home, cwd } = setup({ worker: { FAKE_HANG: '1' } });
    const hanging = service.submit({ task: 'hang until cancelled', workflow: 'only', cwd, projectPath: cwd });
    for await (const stored of service.watch(hanging.taskId)) if (stored.event.type === 'agent.started') break;
    await service.cancel(hanging.taskId);
    expect((await hanging.done).status).toBe('cancelled');
    closeAllDatabases();

    const auth = setup({ worker: { FAKE_STDERR: 'Error: 401 Unauthorized (invalid x-api-key)', FAKE_EXIT: '1' } });
    const authFailed = await auth.service.submit({ task: 'needs credentials', workflow: 'only', cwd: auth.cwd, projectPath: auth.cwd }).done;
    expect(authFailed.steps[0]?.error?.kind).toBe('auth');
    closeAllDatabases();

    const bad = setup({ worker: { FAKE_STDOUT: 'I could not do it', FAKE_EXIT: '1' } });
    const failed = await bad.service.submit({ task: 'impossible work', workflow: 'only', cwd: bad.cwd, projectPath: bad.cwd }).done;
    expect(failed.steps[0]?.error?.kind).toBe('task_failed');
    closeAllDatabases();

    const health = createAgentHealthStore(openDatabase(databasePath(home))).health('worker');
    expect(health.calls).toBe(0);
    expect(health.successRate).toBeUndefined();
    closeAllDatabases();

    const mistakes = async (dir: string): Promise<string[]> => {
      const memory = await MemoryManager.open({ dbPath: databasePath(dir) });
      const found = memory.listNodes({ types: ['mistake'] }).map((node) => JSON.stringify(node.metadata['errorType']));
      memory.close();
      return found;
    };
    expect(await mistakes(home)).toEqual([]);
    expect(await mistakes(auth.home)).toEqual([]);
    expect(await mistakes(bad.home)).toEqual(['"task_failed"']);
  });

  it('resumes a cancelled task in place: same id, the cancelled step runs again, the result reads as one task', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'aio-resume-'));
    const cwd = path.join(root, 'repo');
    mkdirSync(cwd);
    const config = configSchema.parse({
      agents: {
        worker: { type: 'generic', command: FAKE_CLI, env: { FAKE_STDOUT: 'work done' } },
        checker: { type: 'generic', command: FAKE_CLI, env: { FAKE_HANG: '1' } },
      },
      workflows: { two: [{ agent: 'worker', task: 'implement' }, { agent: 'checker', task: 'review' }] },
      settings: { create_reports: false, max_iterations: 1, enable_context_memory: false },
    });
    const first = createTaskService({ home: path.join(root, 'home'), config, logger: createLogger({ level: 'silent' }), baseDir: root });
    const submitted = first.submit({ task: 'two steps', workflow: 'two', cwd });
    for await (const stored of first.watch(submitted.taskId)) if (stored.event.type === 'agent.started' && stored.event.agent === 'checker') break;
    await first.cancel(submitted.taskId);
    expect((await submitted.done).status).toBe('cancelled');
    expect(first.steps(submitted.taskId).map((s) => [s.agent, s.success])).toEqual([['worker', true], ['checker', false]]);

    const fixed = configSchema.parse({
      ...config,
      agents: { ...config.agents, checker: { type: 'generic', command: FAKE_CLI, env: { FAKE_STDOUT: 'Fine.\n```json\n{"suggestions": []}\n```' } } },
    });
    closeAllDatabases();
    const second = createTaskService({ home: path.join(root, 'home'), config: fixed, logger: createLogger({ level: 'silent' }), baseDir: root });
    const resumed = second.resume(submitted.taskId.slice(0, 8));
    expect(resumed.taskId).toBe(submitted.taskId);
    const result = await resumed.done;
    expect(result.status).toBe('completed');
    expect(result.steps.map((s) => [s.agent, s.success])).toEqual([['worker', true], ['checker', true]]);
    expect(second.steps(submitted.taskId)).toHaveLength(2);
    const types = second.events(submitted.taskId).map((e) => e.event.type);
    expect(types.filter((t) => t === 'task.finished')).toHaveLength(2);
    expect(types).toContain('task.resumed');
    expect(() => second.resume(submitted.taskId)).toThrow(/cannot be resumed: it completed/);
  });
});
