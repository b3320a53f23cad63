/**
 * Cheap checks that never load node-llama-cpp: whether the model file can be read and whether
 * the optional package is installed (resolved, not imported). Used by availability (`agents`,
 * `validate`, doctor) and before a run loads anything.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FailureKind } from '../spec.js';

export type ModelFileCheck = { readonly ok: true } | { readonly ok: false; readonly kind: FailureKind; readonly message: string };

export function checkModelFile(file: string): ModelFileCheck {
  const stat = statSync(file, { throwIfNoEntry: false });
  if (!stat) return { ok: false, kind: 'not_installed', message: `model file ${file} not found` };
  if (!stat.isFile()) return { ok: false, kind: 'config', message: `model path ${file} is not a file` };
  try {
    accessSync(file, constants.R_OK);
  } catch {
    return { ok: false, kind: 'config', message: `model file ${file} is not readable` };
  }
  return { ok: true };
}

/** Whether `node-llama-cpp` can be found from here (without importing it). */
export function nodeLlamaCppInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('node-llama-cpp');
    return true;
  } catch {
    return false;
  }
}

export const INSTALL_HINT = 'it is an optional add-on: npm install node-llama-cpp@3 where ai-orchestrator is installed';
