/**
 * The memory's shapes as zod schemas, for what comes from outside: nodes given to `addNodes` (by
 * the API, MCP, imports, the engine) and JSON exports read back. Kept apart from types.ts so that
 * opening and searching the memory — before a task's first agent starts — does not load zod.
 */
import { z } from 'zod';
import { OrchestratorError } from '../shared/errors.js';
import { EDGE_TYPES, NODE_ID_MAX, NODE_TYPES, type JsonValue, type NodeInput } from './types.js';

export const jsonValueSchema: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValueSchema), z.record(z.string(), jsonValueSchema)]),
);
export const metadataSchema = z.record(z.string(), jsonValueSchema);

export const nodeInputSchema = z.object({
  id: z.string().min(1).max(NODE_ID_MAX).optional(),
  type: z.enum(NODE_TYPES),
  title: z.string(),
  content: z.string().optional(),
  tags: z.array(z.string()).optional(),
  metadata: metadataSchema.optional(),
  projectId: z.string().optional(),
  importance: z.number().finite().min(0).optional(),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
});

export const memoryNodeSchema = z.object({
  id: z.string().min(1),
  type: z.enum(NODE_TYPES),
  title: z.string(),
  content: z.string(),
  tags: z.array(z.string()),
  metadata: metadataSchema,
  projectId: z.string(),
  importance: z.number().finite(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const memoryEdgeSchema = z.object({
  sourceId: z.string().min(1),
  targetId: z.string().min(1),
  type: z.enum(EDGE_TYPES),
  weight: z.number().finite(),
  metadata: metadataSchema,
  createdAt: z.string(),
});

/** Validated copies of node inputs; the first invalid one throws INVALID_INPUT. */
export function parseNodeInputs(inputs: readonly NodeInput[]): NodeInput[] {
  return inputs.map((raw) => {
    const parsed = nodeInputSchema.safeParse(raw);
    if (!parsed.success) {
      throw new OrchestratorError('INVALID_INPUT', `invalid memory node: ${parsed.error.issues[0]?.message ?? 'bad shape'}`);
    }
    return parsed.data;
  });
}
