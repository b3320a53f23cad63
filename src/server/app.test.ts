/**
 * The web API through fastify's inject(): a real task service, real fixture agent processes and
 * a real SQLite home; only the socket is skipped.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllDatabases } from '../storage/database.js';
import { fixtureAgent, openServerFixture, REVIEW_OK, TEST_TOKEN, type ServerFixture } from '../../test/helpers/server-fixture.js';
import { isAlive, readPid, waitGone } from '../../test/helpers/fake-cli.js';

let fixture: ServerFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
  closeAllDatabases();
});

function config(extra: Record<string, Record<string, unknown>> = {}): Record<string, unknown> {
  return {
    agents: { coder: fixtureAgent({ FAKE_STDOUT: 'implemented' }), checker: fixtureAgent({ FAKE_STDOUT: REVIEW_OK }), ...extra },
    workflows: { default: [{ agent: 'coder', task: 'implement' }, { agent: 'checker', task: 'review' }] },
  };
}

interface Frame {
  id: number;
  event: string;
  data: { type: string; taskId: string };
}

function parseSse(body: string): Frame[] {
  return body
    .split('\n\n')
    .filter((block) => block.includes('\nevent: ') && block.startsWith('id: '))
    .map((block) => {
      const lines = block.split('\n');
      const field = (name: string): string => lines.find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2) ?? '';
      return { id: Number(field('id')), event: field('event'), data: JSON.parse(field('data')) as Frame['data'] };
    });
}

describe('web API security', () => {
  it('answers 401 without the token on every registered route but /health, and the token opens them', async () => {
    fixture = await openServerFixture(config());
    const { app } = fixture.server;
    const spec = (await app.inject({ url: '/api/openapi.json', headers: fixture.auth })).json<{ paths: Record<string, Record<string, unknown>> }>();
    const routes = Object.entries(spec.paths).flatMap(([url, methods]) => Object.keys(methods).map((method) => ({ method: method.toUpperCase(), url: url.replace(/\{\w+\}/g, 'x') })));
    expect(routes.length).toBeGreaterThan(12);
    for (const route of routes) {
      const response = await app.inject({ method: route.method as 'GET', url: route.url });
      if (route.url === '/health') expect(response.statusCode, route.url).toBe(200);
      else {
        expect(response.statusCode, `${route.method} ${route.url}`).toBe(401);
        expect(response.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
      }
    }
    expect((await app.inject({ url: '/', headers: {} })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/agents', headers: { authorization: 'Bearer wrong' } })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/agents', headers: fixture.auth })).statusCode).toBe(200);
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin (another site in another tab), even with the token', async () => {
    fixture = await openServerFixture(config());
    const { app } = fixture.server;
    const rebinding = await app.inject({ url: '/api/agents', headers: { ...fixture.auth, host: 'attacker.example:5001' } });
    expect(rebinding.statusCode).toBe(403);
    expect(rebinding.json<{ error: { code: string } }>().error.code).toBe('HOST_NOT_ALLOWED');
    const crossSite = await app.inject({ method: 'POST', url: '/api/execute', headers: { ...fixture.auth, origin: 'https://evil.example' }, payload: { task: 'x' } });
    expect(crossSite.statusCode).toBe(403);
    expect(crossSite.json<{ error: { code: string } }>().error.code).toBe('ORIGIN_NOT_ALLOWED');
    expect(fixture.service.list()).toEqual([]);
    const sameSite = await app.inject({ url: '/api/agents', headers: { ...fixture.auth, host: '127.0.0.1:5001', origin: 'http://127.0.0.1:5001' } });
    expect(sameSite.statusCode).toBe(200);
  });

  it('a login link sets an HttpOnly cookie once; the cookie then opens the API', async () => {
    fixture = await openServerFixture(config());
    const { app, guard } = fixture.server;
    const code = guard.newLoginCode();
    const login = await app.inject({ url: `/login?code=${code}` });
    expect(login.statusCode).toBe(303);
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const again = await app.inject({ url: `/login?code=${code}` });
    expect(again.statusCode).toBe(401);
    const withCookie = await app.inject({ url: '/api/workflows', headers: { cookie: cookie.split(';')[0] ?? '' } });
    expect(withCookie.statusCode).toBe(200);
    expect(cookie).toContain(TEST_TOKEN);
  });
});

describe('web API routes', () => {
  it('keeps the seed payloads of /health, /api/agents, /api/workflows and /api/execute', async () => {
    fixture = await openServerFixture(config());
    const { app } = fixture.server;
    const health = (await app.inject({ url: '/health' })).json<Record<string, unknown>>();
    expect(health).toMatchObject({ status: 'healthy', timestamp: expect.any(String) });
    const agents = (await app.inject({ url: '/api/agents', headers: fixture.auth })).json<{ agents: Record<string, unknown>[] }>();
    for (const field of ['name', 'enabled', 'role', 'description', 'available', 'health']) expect(agents.agents[0]).toHaveProperty(field);
    const workflows = (await app.inject({ url: '/api/workflows', headers: fixture.auth })).json<{ workflows: { steps: Record<string, unknown>[] }[] }>();
    expect(Object.keys(workflows.workflows[0] ?? {}).sort()).toEqual(['description', 'name', 'offline', 'steps']);
    expect(Object.keys(workflows.workflows[0]?.steps[0] ?? {}).sort()).toEqual(['agent', 'description', 'fallback', 'task']);

    const started = await app.inject({ method: 'POST', url: '/api/execute', headers: fixture.auth, payload: { task: 'add a README', client_id: 'tab-1', max_iterations: 50 } });
    expect(started.statusCode).toBe(202);
    const body = started.json<Record<string, unknown>>();
    expect(Object.keys(body).sort()).toEqual(['client_id', 'is_followup', 'message', 'session_id', 'task_id']);
    expect(body).toMatchObject({ message: 'Task started', client_id: 'tab-1', is_followup: false });
    const taskId = String(body['task_id']);
    // max_iterations is clamped to the seed's 1..10.
    expect(fixture.service.get(taskId)?.maxIterations).toBe(10);
    expect(fixture.service.get(taskId)?.source).toBe('api');
    await fixture.service.watch(taskId)[Symbol.asyncIterator]().next();
    for await (const stored of fixture.service.watch(taskId)) void stored;
    const status = (await app.inject({ url: '/api/status?client_id=tab-1', headers: fixture.auth })).json<Record<string, unknown>>();
    expect(status).toMatchObject({ client_id: 'tab-1', task_id: taskId, status: 'completed', can_followup: true, is_running: false });
    const conversation = (await app.inject({ url: '/api/conversation', headers: { ...fixture.auth, 'x-client-id': 'tab-1' } })).json<{ history: { task_id: string; result: string }[] }>();
    expect(conversation.history).toEqual([expect.objectContaining({ task_id: taskId, result: REVIEW_OK })]);
    const followUp = await app.inject({ method: 'POST', url: '/api/execute', headers: fixture.auth, payload: { task: 'and a licence', client_id: 'tab-1', is_followup: true } });
    expect(followUp.statusCode).toBe(202);
    expect(fixture.service.get(followUp.json<{ task_id: string }>().task_id)?.followUpOf).toBe(taskId);
    await fixture.service.close();
    expect((await app.inject({ method: 'POST', url: '/api/conversation/clear', headers: fixture.auth, payload: { client_id: 'tab-1' } })).json()).toEqual({ message: 'Conversation cleared', client_id: 'tab-1' });
    const cleared = (await app.inject({ url: '/api/conversation?client_id=tab-1', headers: fixture.auth })).json<{ history: unknown[] }>();
    expect(cleared.history).toEqual([]);
  });

  it('answers 400 {error:{code,message}} for an empty, too long or malformed task, and 404 for an unknown workflow; nothing is stored', async () => {
    fixture = await openServerFixture(config());
    const { app } = fixture.server;
    for (const payload of [{ task: '   ' }, { task: 'x'.repeat(50_001) }, {}, { task: 'ok', max_iterations: 'many' }]) {
      const response = await app.inject({ method: 'POST', url: '/api/execute', headers: fixture.auth, payload });
      expect(response.statusCode, JSON.stringify(payload).slice(0, 60)).toBe(400);
      expect(response.json()).toEqual({ error: { code: 'VALIDATION_FAILED', message: expect.stringMatching(/^body\./) } });
    }
    const unknown = await app.inject({ method: 'POST', url: '/api/execute', headers: fixture.auth, payload: { task: 'x', workflow: 'nope' } });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json<{ error: { code: string } }>().error.code).toBe('WORKFLOW_NOT_FOUND');
    expect((await app.inject({ url: '/api/tasks?limit=0', headers: fixture.auth })).statusCode).toBe(400);
    expect((await app.inject({ url: '/api/tasks/nope', headers: fixture.auth })).statusCode).toBe(404);
    expect(fixture.service.list()).toEqual([]);
  });

  it('lists tasks with filters and paging, and shows one as `tasks show --json` does', async () => {
    fixture = await openServerFixture(config());
    const { app } = fixture.server;
    const ids: string[] = [];
    for (const task of ['alpha one', 'beta two', 'alpha three']) {
      const submitted = fixture.service.submit({ task, source: task.startsWith('alpha') ? 'api' : 'cli' });
      ids.push(submitted.taskId);
      await submitted.done;
    }
    const page = (await app.inject({ url: '/api/tasks?limit=2&offset=0', headers: fixture.auth })).json<{ tasks: { task_id: string }[]; total: number }>();
    expect(page.total).toBe(3);
    expect(page.tasks.map((t) => t.task_id)).toEqual([ids[2], ids[1]]);
    const next = (await app.inject({ url: '/api/tasks?limit=2&offset=2', headers: fixture.auth })).json<{ tasks: { task_id: string }[] }>();
    expect(next.tasks.map((t) => t.task_id)).toEqual([ids[0]]);
    const alpha = (await app.inject({ url: '/api/tasks?q=ALPHA&source=api&status=completed', headers: fixture.auth })).json<{ tasks: { task: string }[] }>();
    expect(alpha.tasks.map((t) => t.task)).toEqual(['alpha three', 'alpha one']);
    const detail = (await app.inject({ url: `/api/tasks/${(ids[0] ?? '').slice(0, 8)}`, headers: fixture.auth })).json<Record<string, unknown>>();
    expect(detail).toMatchObject({ task_id: ids[0], status: 'completed', final_output: REVIEW_OK });
    expect((detail['steps'] as unknown[]).length).toBe(2);
  });

  it('streams a task as SSE with id = seq, and replays after Last-Event-ID or ?since= without a duplicate', async () => {
    fixture = await openServerFixture(config());
    const { app } = fixture.server;
    const submitted = fixture.service.submit({ task: 'stream me' });
    const whole = parseSse((await app.inject({ url: `/api/tasks/${submitted.taskId}/events`, headers: fixture.auth })).body);
    expect(whole.map((f) => f.id)).toEqual(whole.map((_, i) => i + 1));
    expect(whole.at(-1)?.event).toBe('task.finished');
    expect(whole.every((f) => f.data.type === f.event && f.data.taskId === submitted.taskId)).toBe(true);
    const stored = fixture.service.events(submitted.taskId);
    expect(whole.length).toBe(stored.length);
    const cut = 3;
    const resumed = parseSse((await app.inject({ url: `/api/tasks/${submitted.taskId}/events`, headers: { ...fixture.auth, 'last-event-id': String(cut) } })).body);
    expect(resumed.map((f) => f.id)).toEqual(stored.slice(cut).map((s) => s.seq));
    const bySince = parseSse((await app.inject({ url: `/api/tasks/${submitted.taskId}/events?since=${cut}`, headers: fixture.auth })).body);
    expect(bySince.map((f) => f.id)).toEqual(resumed.map((f) => f.id));
  });

  it('cancels a running task through /api/tasks/:id/cancel and /api/cancel: the agent process is gone, the task stored cancelled', async () => {
    fixture = await openServerFixture(config());
    const pidFile = path.join(fixture.root, 'agent.pid');
    await fixture.close();
    closeAllDatabases();
    fixture = await openServerFixture(config({ coder: fixtureAgent({ FAKE_HANG: '1', FAKE_PID_FILE: pidFile }) }));
    const { app } = fixture.server;
    const started = (await app.inject({ method: 'POST', url: '/api/execute', headers: fixture.auth, payload: { task: 'hang', client_id: 'c' } })).json<{ task_id: string }>();
    const pid = await readPid(pidFile);
    expect(isAlive(pid)).toBe(true);
    const cancelled = await app.inject({ method: 'POST', url: '/api/cancel', headers: fixture.auth, payload: { client_id: 'c' } });
    expect(cancelled.json()).toMatchObject({ message: 'Task cancelled', client_id: 'c', task_id: started.task_id, status: 'cancelled', cancelled: true });
    expect(await waitGone(pid)).toBe(true);
    expect(fixture.service.get(started.task_id)?.status).toBe('cancelled');

    const second = fixture.service.submit({ task: 'hang again' });
    const pid2 = await readPid(pidFile).then(async (first) => (first === pid ? waitForNewPid(pidFile, pid) : first));
    const byId = await app.inject({ method: 'POST', url: `/api/tasks/${second.taskId}/cancel`, headers: fixture.auth });
    expect(byId.json()).toEqual({ task_id: second.taskId, status: 'cancelled', cancelled: true });
    expect(await waitGone(pid2)).toBe(true);
    expect((await app.inject({ method: 'POST', url: '/api/cancel', headers: fixture.auth, payload: { client_id: 'c' } })).statusCode).toBe(409);
  });

  it('resumes a cancelled task through /api/tasks/:id/resume, after its last completed step', async () => {
    fixture = await openServerFixture(config());
    const pidFile = path.join(fixture.root, 'review.pid');
    await fixture.close();
    closeAllDatabases();
    fixture = await openServerFixture(config({ checker: fixtureAgent({ FAKE_STDOUT: REVIEW_OK, FAKE_SLEEP_MS: '1500', FAKE_PID_FILE: pidFile }) }));
    const { app } = fixture.server;
    const submitted = fixture.service.submit({ task: 'resume me' });
    await readPid(pidFile);
    await app.inject({ method: 'POST', url: `/api/tasks/${submitted.taskId}/cancel`, headers: fixture.auth });
    expect(fixture.service.get(submitted.taskId)?.status).toBe('cancelled');
    const resumed = await app.inject({ method: 'POST', url: `/api/tasks/${submitted.taskId}/resume`, headers: fixture.auth });
    expect(resumed.statusCode).toBe(202);
    expect(resumed.json<{ task_id: string }>().task_id).toBe(submitted.taskId);
    for await (const stored of fixture.service.watch(submitted.taskId, { since: fixture.service.events(submitted.taskId).length })) void stored;
    expect(fixture.service.get(submitted.taskId)?.status).toBe('completed');
    expect(fixture.service.steps(submitted.taskId).map((s) => s.agent)).toEqual(['coder', 'checker']);
    const again = await app.inject({ method: 'POST', url: `/api/tasks/${submitted.taskId}/resume`, headers: fixture.auth });
    expect(again.statusCode).toBe(400);
    expect(again.json<{ error: { message: string } }>().error.message).toMatch(/cannot be resumed/);
  });

  it('describes every route in /api/openapi.json from the zod schemas', async () => {
    fixture = await openServerFixture(config());
    const spec = (await fixture.server.app.inject({ url: '/api/openapi.json', headers: fixture.auth })).json<{ openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown> } }> } }>> }>();
    expect(spec.openapi).toBe('3.1.0');
    expect(Object.keys(spec.paths['/api/execute']?.['post']?.requestBody?.content['application/json']?.schema.properties ?? {})).toEqual(
      expect.arrayContaining(['task', 'workflow', 'max_iterations', 'is_followup', 'client_id']),
    );
    expect(spec.paths).toHaveProperty(['/api/tasks/{id}/events']);
  });
});

async function waitForNewPid(file: string, old: number): Promise<number> {
  for (let i = 0; i < 250; i++) {
    const pid = await readPid(file);
    if (pid !== old) return pid;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('no new agent pid');
}

