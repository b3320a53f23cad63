/**
 * Whether an embedded agent can run here, without loading anything heavy: its model file is a
 * readable file and node-llama-cpp is installed (resolved, never imported — `agents` and
 * `validate` stay fast and do not pull the native binding in).
 */
import type { AgentConfig } from '../../config/schema.js';
import type { Availability } from '../spec.js';
import { resolveModelPath } from './embedded-settings.js';
import { checkModelFile, INSTALL_HINT, nodeLlamaCppInstalled } from './model-file.js';

export function checkEmbeddedAvailability(agent: AgentConfig): Availability {
  if (agent.model === undefined) return { available: false, detail: 'no model file configured (set model to a .gguf path)' };
  const file = resolveModelPath(agent.model);
  const check = checkModelFile(file);
  if (!check.ok) return { available: false, detail: check.message };
  if (!nodeLlamaCppInstalled()) return { available: false, detail: `node-llama-cpp is not installed: ${INSTALL_HINT}` };
  return { available: true, detail: file };
}
