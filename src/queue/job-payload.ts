/**
 * What a queued task's job carries to a worker: everything needed to run it without the
 * coordinator's database — the text, the workflow, where the code is, the memory block the
 * coordinator looked up. Checked with zod where it is read (a worker of another version, a
 * hand-made job).
 */
import { z } from 'zod';

export const JOB_PAYLOAD_VERSION = 1;

export const jobPayloadSchema = z.object({
  v: z.literal(JOB_PAYLOAD_VERSION),
  taskId: z.string().min(1),
  /** What the user typed (shown), and the text the agents get (a follow-up's composed prompt). */
  task: z.string(),
  promptTask: z.string(),
  workflow: z.string().min(1),
  maxIterations: z.number().int().min(1).optional(),
  offline: z.boolean(),
  budgetUsd: z.number().positive().optional(),
  /** A git repository every worker can reach: a URL or a path. */
  repo: z.string().min(1),
  /** The commit (or a revision the repository resolves) the task starts from; none: the repository's HEAD. */
  base: z.string().min(1).optional(),
  /** Where in the repository the agents work ('' = its top). */
  subdir: z.string(),
  /** Relevant earlier work, looked up by the coordinator (whose memory it is). */
  memoryBlock: z.string(),
  /** The agents the workflow's steps name: only a worker that has them all takes the job. */
  agents: z.array(z.string()),
});

export type JobPayload = z.infer<typeof jobPayloadSchema>;

export function parseJobPayload(data: unknown): JobPayload {
  const parsed = jobPayloadSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`not a task job this worker can read (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'bad payload'})`);
  }
  return parsed.data;
}
