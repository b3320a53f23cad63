/**
 * Ollama's wire format (docs/api.md), validated at the boundary and mapped to camelCase.
 * Streaming replies are NDJSON; durations are nanoseconds.
 */
import { z } from 'zod';

export const ollamaChatChunkSchema = z.object({
  model: z.string().optional(),
  message: z.object({ role: z.string().optional(), content: z.string().default('') }).optional(),
  done: z.boolean().default(false),
  done_reason: z.string().optional(),
  prompt_eval_count: z.number().optional(),
  eval_count: z.number().optional(),
  total_duration: z.number().optional(),
  eval_duration: z.number().optional(),
  error: z.string().optional(),
});

export const ollamaVersionSchema = z.object({ version: z.string() });

export const ollamaTagsSchema = z.object({
  models: z
    .array(
      z.object({
        name: z.string(),
        model: z.string().optional(),
        size: z.number().optional(),
        modified_at: z.string().optional(),
        digest: z.string().optional(),
        details: z.object({ parameter_size: z.string().optional(), quantization_level: z.string().optional() }).partial().optional(),
      }),
    )
    .default([]),
});

export const ollamaPullLineSchema = z.object({
  status: z.string().optional(),
  digest: z.string().optional(),
  total: z.number().optional(),
  completed: z.number().optional(),
  error: z.string().optional(),
});
