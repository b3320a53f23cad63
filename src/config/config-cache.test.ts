import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/cli.js';
import { openConfigCache } from './config-cache.js';
import { loadConfig, parseConfigText } from './load.js';
import { loadConfigCached } from './load-cached.js';

const TEXT = 'agents:\n  mine:\n    command: /opt/bin/claude\nsettings:\n  max_iterations: 4\n';

describe('validated-config cache', () => {
  it('answers only for the exact text of the same file it validated', () => {
    const home = tempDir();
    const config = parseConfigText(TEXT, 'a.yaml');
    openConfigCache(home).set('/p/a.yaml', TEXT, config);
    const cache = openConfigCache(home);
    expect(cache.get('/p/a.yaml', TEXT)).toEqual(config);
    expect(cache.get('/p/a.yaml', `${TEXT}\n`)).toBeUndefined();
    expect(cache.get('/p/b.yaml', TEXT)).toBeUndefined();
  });

  it('keeps an entry per file and reads a damaged cache file as empty', () => {
    const home = tempDir();
    const cache = openConfigCache(home);
    const config = parseConfigText(TEXT, 'a.yaml');
    cache.set('/p/a.yaml', TEXT, config);
    cache.set('/p/b.yaml', TEXT, config);
    expect(cache.get('/p/a.yaml', TEXT)).toEqual(config);
    expect(cache.get('/p/b.yaml', TEXT)).toEqual(config);
    writeFileSync(path.join(home, 'cache', 'config.json'), '{"format": 1, "entries": [{"file": "/p/a.yaml"');
    expect(cache.get('/p/a.yaml', TEXT)).toBeUndefined();
  });

  it('never writes a secret to the home: configurations holding one are validated every time, texts are kept as hashes', () => {
    const home = tempDir();
    const secret = 'tok-3f9a8b7c6d5e4f3a2b1c';
    const withSecret = `agents:\n  mine:\n    command: x\n    env: { SERVICE_TOKEN: ${secret} }\n`;
    const cache = openConfigCache(home);
    cache.set('/p/a.yaml', withSecret, parseConfigText(withSecret, 'a.yaml'));
    expect(cache.get('/p/a.yaml', withSecret)).toBeUndefined();
    const commented = `# the old key was ${secret}\n${TEXT}`;
    cache.set('/p/b.yaml', commented, parseConfigText(commented, 'b.yaml'));
    expect(cache.get('/p/b.yaml', commented)).toBeDefined();
    expect(readFileSync(path.join(home, 'cache', 'config.json'), 'utf8')).not.toContain(secret);
  });

  it('does not remember a configuration JSON would change', () => {
    const home = tempDir();
    const config = parseConfigText('agents:\n  mine:\n    command: x\nagentic_team:\n  size: .inf\n', 'a.yaml');
    openConfigCache(home).set('/p/a.yaml', 'text', config);
    expect(openConfigCache(home).get('/p/a.yaml', 'text')).toBeUndefined();
  });

  it('loadConfig with a home remembers what it validated; the cached load returns the same, with the environment applied', async () => {
    const home = tempDir();
    const file = path.join(home, 'agents.yaml');
    writeFileSync(file, TEXT);
    const full = loadConfig({ configPath: file, env: {}, home });
    expect(readFileSync(path.join(home, 'cache', 'config.json'), 'utf8')).toContain(file);
    const cached = await loadConfigCached({ configPath: file, env: { PROJECT_PATH: '/from/env' }, home });
    expect(cached.source).toEqual(full.source);
    expect(cached.config).toEqual({ ...full.config, settings: { ...full.config.settings, project_path: '/from/env' } });
  });

  it('the cached load validates a changed file again and reports its errors with file:line:column', async () => {
    const home = tempDir();
    const file = path.join(home, 'agents.yaml');
    writeFileSync(file, TEXT);
    await loadConfigCached({ configPath: file, env: {}, home });
    writeFileSync(file, TEXT.replace('max_iterations: 4', 'max_iterations: 0'));
    await expect(loadConfigCached({ configPath: file, env: {}, home })).rejects.toThrow(/agents\.yaml:5:\d+ setting "max_iterations"/);
  });
});
