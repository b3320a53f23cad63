import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultThreads, parseEmbeddedOptions, resolveModelPath } from './embedded-settings.js';

describe('embedded settings', () => {
  it('reads the snake_case options record into camelCase options with defaults', () => {
    expect(parseEmbeddedOptions({ threads: 1, context_size: 256, max_tokens: 8, temperature: 0.2, top_k: 40, top_p: 0.9, seed: 7 })).toEqual({
      ok: true,
      options: { threads: 1, contextSize: 256, maxTokens: 8, temperature: 0.2, topK: 40, topP: 0.9, seed: 7 },
    });
    const defaults = parseEmbeddedOptions({});
    expect(defaults).toEqual({ ok: true, options: { threads: defaultThreads(), maxTokens: 2048 } });
  });

  it('defaults to half the cores, at least one', () => {
    expect(defaultThreads()).toBe(Math.max(1, Math.floor(os.availableParallelism() / 2)));
  });

  it('refuses unknown keys and bad values with the option named', () => {
    const unknown = parseEmbeddedOptions({ num_ctx: 256 });
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) expect(unknown.message).toMatch(/^options: unknown key num_ctx \(known: threads, context_size, max_tokens/);
    const bad = parseEmbeddedOptions({ threads: 'four' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.message).toMatch(/^options\.threads: /);
  });

  it.each([
    ['threads', 100_000],
    ['context_size', 10_000_000],
    ['max_tokens', 1e12],
    ['temperature', 1e6],
  ])('refuses %s = %d as out of range', (key, value) => {
    const parsed = parseEmbeddedOptions({ [key]: value });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(new RegExp(`^options\\.${key}: Too big`));
  });

  it('resolves the model path from the current directory, ~ from home', () => {
    expect(resolveModelPath('/m/a.gguf', '/work')).toBe('/m/a.gguf');
    expect(resolveModelPath('models/a.gguf', '/work')).toBe('/work/models/a.gguf');
    expect(resolveModelPath('~/models/a.gguf', '/work')).toBe(path.join(os.homedir(), 'models/a.gguf'));
  });
});
