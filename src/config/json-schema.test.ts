import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configSchema } from './schema.js';

describe('config/agents.schema.json', () => {
  it('is generated from the zod schema and has not drifted from it', () => {
    const committed: unknown = JSON.parse(readFileSync(new URL('../../config/agents.schema.json', import.meta.url), 'utf8'));
    const generated = { ...z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }), title: 'ai-orchestrator agents.yaml' };
    expect(committed).toEqual(JSON.parse(JSON.stringify(generated)));
  });
});
