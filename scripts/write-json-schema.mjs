// Writes config/agents.schema.json from the zod schema (the single definition of the config).
import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { configSchema } from '../dist/config/schema.js';

const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' });
schema.title = 'ai-orchestrator agents.yaml';
writeFileSync(new URL('../config/agents.schema.json', import.meta.url), `${JSON.stringify(schema, null, 2)}\n`);
