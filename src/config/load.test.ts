import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/cli.js';
import { ConfigError, DEFAULT_CONFIG_PATH, findConfigSource, loadConfig, parseConfigText } from './load.js';
import { findWorkflow, resolveAdapterKind } from './workflows.js';

const MINIMAL = 'agents:\n  mine:\n    command: /opt/bin/claude\n';

describe('config source order', () => {
  it('takes --config, then the env path, then the project file, then the home file, then the built-in', () => {
    const cwd = tempDir();
    const home = tempDir();
    const env = { AI_ORCHESTRATOR_HOME: home };
    expect(findConfigSource({ cwd, env })).toEqual({ kind: 'default', path: DEFAULT_CONFIG_PATH });
    writeFileSync(path.join(home, 'agents.yaml'), MINIMAL);
    expect(findConfigSource({ cwd, env }).kind).toBe('home');
    mkdirSync(path.join(cwd, '.ai-orchestrator'));
    writeFileSync(path.join(cwd, '.ai-orchestrator', 'agents.yaml'), MINIMAL);
    expect(findConfigSource({ cwd, env }).kind).toBe('project');
    expect(findConfigSource({ cwd, env: { ...env, AI_ORCHESTRATOR_CONFIG_PATH: 'x.yaml' } })).toEqual({
      kind: 'env',
      path: path.join(cwd, 'x.yaml'),
    });
    expect(findConfigSource({ cwd, env: { ...env, AI_ORCHESTRATOR_CONFIG_PATH: 'x.yaml' }, configPath: 'y.yaml' }).kind).toBe('flag');
  });

  it('lets PROJECT_PATH and CONNECTIVITY_CHECK_URL override the file', () => {
    const cwd = tempDir();
    const file = path.join(cwd, 'a.yaml');
    writeFileSync(file, `${MINIMAL}settings:\n  project_path: /from/file\n`);
    const { config } = loadConfig({ cwd, configPath: file, env: { PROJECT_PATH: '/from/env', CONNECTIVITY_CHECK_URL: 'http://127.0.0.1:9/' } });
    expect(config.settings.project_path).toBe('/from/env');
    expect(config.settings.offline.probe_url).toBe('http://127.0.0.1:9/');
  });
});

describe('config parsing', () => {
  it('fills defaults for omitted settings', () => {
    const config = parseConfigText(MINIMAL, 'a.yaml');
    expect(config.settings.max_iterations).toBe(3);
    expect(config.settings.min_suggestions_threshold).toBe(3);
    expect(config.settings.stop_on_plateau).toBe(false);
    expect(config.agents['mine']?.timeout).toBe(3600);
  });

  it('picks the adapter by type, then by the command name, never by the agent name', () => {
    const config = parseConfigText(
      'agents:\n  reviewer-bot:\n    command: /usr/local/bin/gemini-cli\n  claude:\n    type: generic\n    command: my-tool\n  helper:\n    command: github-copilot-cli\n  x:\n    type: localai\n',
      'a.yaml',
    );
    expect(resolveAdapterKind(config.agents['reviewer-bot']!)).toBe('gemini');
    expect(resolveAdapterKind(config.agents['claude']!)).toBe('generic');
    expect(resolveAdapterKind(config.agents['helper']!)).toBe('copilot');
    expect(resolveAdapterKind(config.agents['x']!)).toBe('openai-compatible');
  });

  it('accepts both step forms and the role aliases', () => {
    const config = parseConfigText(
      `${MINIMAL}workflows:\n  a:\n    - agent: mine\n      task: implement\n  b:\n    description: structured\n    steps:\n      - agent: mine\n        role: tester\n      - agent: mine\n        role: writer\n        fallback: mine\n`,
      'a.yaml',
    );
    expect(findWorkflow(config, 'a')?.steps[0]?.role).toBe('implement');
    expect(findWorkflow(config, 'b')?.steps.map((s) => s.role)).toEqual(['test', 'document']);
    expect(findWorkflow(config, 'b')?.steps[1]?.fallback).toBe('mine');
  });

  it('reports every problem with its own line', () => {
    try {
      parseConfigText('agents:\n  a:\n    command: x\n    timeout: -1\n    enabled: maybe\n', 'bad.yaml');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const issues = (error as ConfigError).issues.map((i) => `${i.line}:${i.column}`);
      expect(issues).toEqual(['4:14', '5:14']);
    }
  });

  it('names the whole path of an unknown field and the known name nearest to it', () => {
    expect(() => parseConfigText(`${MINIMAL}settings:\n  max_iteratons: 2\n`, 'a.yaml')).toThrow(
      'a.yaml:5:3 setting "max_iteratons": unknown field; did you mean "max_iterations"?',
    );
    expect(() => parseConfigText(`${MINIMAL}settings:\n  resilience:\n    retry:\n      max_atempts: 2\n`, 'a.yaml')).toThrow(
      'a.yaml:7:7 setting "resilience.retry.max_atempts": unknown field; did you mean "max_attempts"?',
    );
    expect(() => parseConfigText(`${MINIMAL}    comand: x\n`, 'a.yaml')).toThrow('a.yaml:4:5 agent "mine" field "comand": unknown field; did you mean "command"?');
    expect(() => parseConfigText(`${MINIMAL}workflows:\n  a:\n    - agent: mine\n      taks: review\n`, 'a.yaml')).toThrow(
      'a.yaml:7:7 workflow "a" step 1 field "taks": unknown field; did you mean "task"?',
    );
    expect(() => parseConfigText(`${MINIMAL}agnets: {}\n`, 'a.yaml')).toThrow('a.yaml:4:1 field "agnets": unknown field; did you mean "agents"?');
    // Nothing near enough: no guess.
    expect(() => parseConfigText(`${MINIMAL}settings:\n  colour_scheme: dark\n`, 'a.yaml')).toThrow(/setting "colour_scheme": unknown field$/);
  });

  it('says an empty file is empty', () => {
    for (const text of ['', '\n\n', '# only a comment\n']) {
      expect(() => parseConfigText(text, 'empty.yaml')).toThrow('empty.yaml:1:1 the file is empty');
    }
  });

  it('rejects a fallback that names an unknown agent', () => {
    expect(() =>
      parseConfigText(`${MINIMAL}workflows:\n  a:\n    steps:\n      - agent: mine\n        role: review\n        fallback: ghost\n`, 'a.yaml'),
    ).toThrow('a.yaml:9:19 workflow "a" step 1 names unknown fallback agent "ghost"');
  });
});
