/** Parses Prometheus text exposition with an independent parser (parse-prometheus-text-format). */
import { createRequire } from 'node:module';
import { z } from 'zod';

const familySchema = z.object({
  name: z.string(),
  help: z.string().optional(),
  type: z.string(),
  metrics: z.array(
    z.object({
      labels: z.record(z.string(), z.string()).optional(),
      value: z.string().optional(),
      count: z.string().optional(),
      sum: z.string().optional(),
      buckets: z.record(z.string(), z.string()).optional(),
    }),
  ),
});
export type MetricFamily = z.infer<typeof familySchema>;

export function parsePrometheus(text: string): MetricFamily[] {
  const parse: unknown = createRequire(import.meta.url)('parse-prometheus-text-format');
  if (typeof parse !== 'function') throw new Error('parse-prometheus-text-format did not export a function');
  return z.array(familySchema).parse((parse as (text: string) => unknown)(text));
}

/** Samples of one family as `{labels, value}` with numeric values. */
export function samples(families: readonly MetricFamily[], name: string): { labels: Record<string, string>; value: number }[] {
  const family = families.find((f) => f.name === name);
  return (family?.metrics ?? []).map((m) => ({ labels: m.labels ?? {}, value: Number(m.value ?? m.count) }));
}
