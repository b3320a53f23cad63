/**
 * An `embedded` agent through the real CLI: `test-agent tiny "Hello" --json` loads the tiny GGUF
 * in-process and answers (gibberish by design); `agents --json` and `validate` list it without
 * ever loading node-llama-cpp (checked with a module resolve hook, which also proves it sees
 * the package when test-agent does load it).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';
import { TINY_GGUF, EMBEDDED_UNAVAILABLE } from '../helpers/tiny-model.js';

const TRACE_HOOK = pathToFileURL(path.join(REPO_ROOT, 'test/fixtures/trace-imports/register.mjs')).href;

function setup(model: string) {
  const dir = tempDir('aio-embedded-cli-');
  const config = path.join(dir, 'agents.yaml');
  writeFileSync(
    config,
    `agents:
  tiny:
    type: embedded
    model: ${model}
    options: { threads: 1, max_tokens: 8, context_size: 256 }
`,
  );
  const trace = path.join(dir, 'imports.log');
  const env = { AI_ORCHESTRATOR_HOME: path.join(dir, 'home'), NODE_OPTIONS: `--import ${TRACE_HOOK}`, AIO_TRACE_IMPORTS: trace };
  const loadedNodeLlamaCpp = (): boolean => existsSync(trace) && readFileSync(trace, 'utf8').includes('node-llama-cpp');
  return { config, cwd: dir, env, loadedNodeLlamaCpp };
}

describe.skipIf(EMBEDDED_UNAVAILABLE)('embedded agent through the CLI', () => {
  it('agents --json and validate list it as available without loading node-llama-cpp', async () => {
    const { config, cwd, env, loadedNodeLlamaCpp } = setup(TINY_GGUF);
    const agents = await runCli(['agents', '--json', '--config', config], { cwd, env });
    expect(agents.code, agents.stderr).toBe(0);
    const { agents: listed } = JSON.parse(agents.stdout) as { agents: { name: string; type: string; available: boolean; availability: string }[] };
    expect(listed).toEqual([expect.objectContaining({ name: 'tiny', type: 'embedded', available: true, availability: TINY_GGUF })]);
    const validate = await runCli(['validate', '--config', config], { cwd, env });
    expect(validate.code, validate.stderr).toBe(0);
    expect(loadedNodeLlamaCpp()).toBe(false);
  });

  it('test-agent tiny "Hello" --json runs the model in-process: success, output, token counts', async () => {
    const { config, cwd, env, loadedNodeLlamaCpp } = setup(TINY_GGUF);
    const result = await runCli(['test-agent', 'tiny', 'Hello', '--json', '--config', config], { cwd, env });
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as { agent: string; success: boolean; output: string; error: unknown; usage: { input_tokens: number; output_tokens: number } };
    expect(json).toMatchObject({ agent: 'tiny', success: true, error: null });
    expect(json.output.length).toBeGreaterThan(0);
    expect(json.usage.input_tokens).toBeGreaterThan(0);
    expect(json.usage.output_tokens).toBe(8);
    // The hook does see the package when an embedded agent runs (so the check above means something).
    expect(loadedNodeLlamaCpp()).toBe(true);
  });
});

describe('embedded agent with a missing model file through the CLI', () => {
  it('test-agent fails with one clear line and a non-zero exit', async () => {
    const { config, cwd, env } = setup('models/absent.gguf');
    const result = await runCli(['test-agent', 'tiny', 'Hello', '--config', config], { cwd, env });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`model file ${path.join(cwd, 'models/absent.gguf')} not found`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
