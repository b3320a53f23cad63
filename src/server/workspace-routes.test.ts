/** /api/config, /api/files, /metrics and /api/models/status through inject(), on real files and a real home. */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { closeAllDatabases } from '../storage/database.js';
import { fixtureAgent, openServerFixture, REVIEW_OK, type ServerFixture } from '../../test/helpers/server-fixture.js';

let fixture: ServerFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
  closeAllDatabases();
});

const CONFIG = {
  agents: { coder: fixtureAgent({ FAKE_STDOUT: 'done' }), checker: fixtureAgent({ FAKE_STDOUT: REVIEW_OK }) },
  workflows: { default: [{ agent: 'coder', task: 'implement' }, { agent: 'checker', task: 'review' }] },
};

describe('/api/config', () => {
  it('GET returns the seed fields; a broken PUT answers 400 with line and column and leaves the file unchanged', async () => {
    fixture = await openServerFixture(CONFIG);
    const { app } = fixture.server;
    const got = (await app.inject({ url: '/api/config', headers: fixture.auth })).json<Record<string, unknown>>();
    expect(got).toMatchObject({ path: fixture.configFile, content: readFileSync(fixture.configFile, 'utf8'), last_modified: expect.any(String) });
    expect(got['parsed']).toHaveProperty('agents');
    const before = readFileSync(fixture.configFile, 'utf8');
    const broken = `${before}\nsettings:\n  max_iterations: lots\n`;
    const response = await app.inject({ method: 'PUT', url: '/api/config', headers: fixture.auth, payload: { content: broken.replace(/^settings:[\s\S]*?(?=^\S)/m, '') } });
    expect(response.statusCode).toBe(400);
    const error = response.json<{ error: { code: string; issues: { line: number; column: number }[] } }>().error;
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.issues[0]?.line).toBeGreaterThan(1);
    expect(readFileSync(fixture.configFile, 'utf8')).toBe(before);
  });

  it('refuses a PUT that changes an agent command, args or env (nothing written) unless --allow-config-commands; other changes are saved', async () => {
    fixture = await openServerFixture(CONFIG);
    const { app } = fixture.server;
    const before = readFileSync(fixture.configFile, 'utf8');
    const config = { ...CONFIG, settings: { create_reports: false, enable_context_memory: false, max_iterations: 1 } };
    for (const agent of [
      { ...fixtureAgent({ FAKE_STDOUT: 'done' }), command: '/bin/sh' },
      { ...fixtureAgent({ FAKE_STDOUT: 'done' }), args: ['-c', 'curl evil'] },
      fixtureAgent({ FAKE_STDOUT: 'done', LD_PRELOAD: '/tmp/x.so' }),
    ]) {
      const response = await app.inject({ method: 'PUT', url: '/api/config', headers: fixture.auth, payload: { config: { ...config, agents: { ...config.agents, coder: agent } } } });
      expect(response.statusCode).toBe(403);
      expect(response.json<{ error: { code: string } }>().error.code).toBe('CONFIG_COMMANDS_LOCKED');
    }
    const added = await app.inject({ method: 'PUT', url: '/api/config', headers: fixture.auth, payload: { config: { ...config, agents: { ...config.agents, extra: fixtureAgent({}) } } } });
    expect(added.statusCode).toBe(403);
    expect(readFileSync(fixture.configFile, 'utf8')).toBe(before);
    const fine = stringify({ ...config, settings: { ...config.settings, max_iterations: 4 } });
    const saved = await app.inject({ method: 'PUT', url: '/api/config', headers: fixture.auth, payload: { content: fine } });
    expect(saved.statusCode).toBe(200);
    expect(readFileSync(fixture.configFile, 'utf8')).toBe(fine);

    await fixture.close();
    closeAllDatabases();
    fixture = await openServerFixture(CONFIG, { allowConfigCommands: true });
    const allowed = await fixture.server.app.inject({ method: 'PUT', url: '/api/config', headers: fixture.auth, payload: { config: { ...config, agents: { ...config.agents, coder: { ...fixtureAgent({}), args: ['x'] } } } } });
    expect(allowed.statusCode).toBe(200);
  });
});

describe('/api/files', () => {
  it('reads and lists workspace files, and refuses traversal, absolute paths and links out with a 4xx without reading them', async () => {
    fixture = await openServerFixture(CONFIG);
    const { app } = fixture.server;
    mkdirSync(path.join(fixture.workspace, 'src'));
    writeFileSync(path.join(fixture.workspace, 'src', 'a.ts'), 'export const a = 1;\n');
    writeFileSync(path.join(fixture.root, 'secret.txt'), 'TOP SECRET');
    symlinkSync(path.join(fixture.root, 'secret.txt'), path.join(fixture.workspace, 'link.txt'));
    const file = (await app.inject({ url: '/api/files/src/a.ts', headers: fixture.auth })).json();
    expect(file).toEqual({ filename: 'src/a.ts', content: 'export const a = 1;\n', language: 'typescript' });
    expect((await app.inject({ url: '/api/files?path=src/a.ts', headers: fixture.auth })).json()).toEqual(file);
    const list = (await app.inject({ url: '/api/files/list', headers: fixture.auth })).json<{ files: { path: string }[] }>();
    expect(list.files.map((f) => f.path)).toContain('src/a.ts');
    for (const url of ['/api/files?path=../secret.txt', '/api/files/..%2Fsecret.txt', `/api/files?path=${encodeURIComponent(path.join(fixture.root, 'secret.txt'))}`, '/api/files/link.txt', '/api/files?path=src/../../secret.txt']) {
      const response = await app.inject({ url, headers: fixture.auth });
      expect(response.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, url).toBeLessThan(500);
      expect(response.body, url).not.toContain('TOP SECRET');
    }
  });
});

describe('/metrics and /api/models/status', () => {
  it('exposes the recorded agent calls and tasks with the process metrics, in one exposition', async () => {
    fixture = await openServerFixture(CONFIG);
    const { app } = fixture.server;
    await fixture.service.submit({ task: 'count me' }).done;
    const response = await app.inject({ url: '/metrics', headers: fixture.auth });
    expect(response.headers['content-type']).toMatch(/text\/plain/);
    expect(response.body).toMatch(/process_cpu_user_seconds_total/);
    expect(response.body).toMatch(/orchestrator_agent_calls_total\{[^}]*agent="coder"[^}]*\} 1/);
    expect(response.body).toMatch(/orchestrator_tasks_total\{[^}]*status="completed"[^}]*\} 1/);
    const models = (await app.inject({ url: '/api/models/status', headers: fixture.auth })).json<Record<string, unknown>>();
    expect(Object.keys(models).sort()).toEqual(['agents', 'backends', 'summary']);
  });
});
