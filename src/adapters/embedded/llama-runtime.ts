/**
 * The process-wide node-llama-cpp runtime, loaded on first use only: the package is imported
 * dynamically (never at CLI start-up, never when other agents run), the native binding is taken
 * from its prebuilt npm packages with building and downloading disabled, and each model file is
 * loaded once per process and shared by every step and agent that names it.
 */
import type { Llama, LlamaModel, NodeLlamaCpp } from './llama-api.js';
import { errorMessage } from '../../shared/errors.js';
import { importPackage } from '../../shared/import-package.js';
import type { FailureKind } from '../spec.js';
import { INSTALL_HINT } from './model-file.js';

export type { NodeLlamaCpp };
export type ImportNodeLlamaCpp = () => Promise<NodeLlamaCpp>;

/** A failure to make the runtime or a model ready, already classified for the adapter. */
export class EmbeddedLoadError extends Error {
  readonly kind: FailureKind;
  constructor(kind: FailureKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EmbeddedLoadError';
    this.kind = kind;
  }
}

export interface EmbeddedRuntime {
  readonly binding: NodeLlamaCpp;
  readonly llama: Llama;
}

// A variable specifier keeps TypeScript from resolving the optional peer at build time; the
// package is ES modules only, so it is imported through the one helper that stays a real import().
const PACKAGE = 'node-llama-cpp';
const importLlama: ImportNodeLlamaCpp = () => importPackage<NodeLlamaCpp>(PACKAGE);

/** llama.cpp's own recent warnings and errors, appended to load failures (never printed). */
const recentLogs: string[] = [];
const MAX_LOG_LINES = 8;

let runtime: Promise<EmbeddedRuntime> | undefined;
const models = new Map<string, Promise<LlamaModel>>();
let modelLoads = 0;

/** Imports the package; a missing package becomes not_installed with the install hint. */
export async function importNodeLlamaCpp(importer: ImportNodeLlamaCpp = importLlama): Promise<NodeLlamaCpp> {
  try {
    return await importer();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
    throw new EmbeddedLoadError(
      'not_installed',
      missing
        ? `node-llama-cpp is not installed: ${INSTALL_HINT}`
        : `node-llama-cpp could not be loaded (${errorMessage(error)}); ${INSTALL_HINT}`,
      { cause: error },
    );
  }
}

/** The shared runtime: CPU only, prebuilt binaries only — nothing is compiled or downloaded. */
export function getEmbeddedRuntime(): Promise<EmbeddedRuntime> {
  runtime ??= createRuntime().catch((error: unknown) => {
    runtime = undefined; // a later run may succeed (e.g. after the package was installed)
    throw error;
  });
  return runtime;
}

async function createRuntime(): Promise<EmbeddedRuntime> {
  const binding = await importNodeLlamaCpp();
  try {
    const llama = await binding.getLlama({
      gpu: false,
      build: 'never',
      skipDownload: true,
      usePrebuiltBinaries: true,
      progressLogs: false,
      // Threads are set per agent on its context; no process-wide cap beneath them.
      maxThreads: 0,
      logLevel: binding.LlamaLogLevel.warn,
      logger: (_level, message) => {
        const line = message.trim();
        if (line === '') return;
        recentLogs.push(line);
        if (recentLogs.length > MAX_LOG_LINES) recentLogs.shift();
      },
    });
    return { binding, llama };
  } catch (error) {
    throw new EmbeddedLoadError(
      'not_installed',
      `node-llama-cpp has no working prebuilt binary for ${process.platform}-${process.arch} (building and downloading are disabled): ${errorMessage(error)}`,
      { cause: error },
    );
  }
}

/**
 * The loaded model for an absolute file path, loading it on first use. A failed load is not
 * cached. The load is not tied to any one run's signal: a run that is cancelled while the model
 * loads stops waiting, and the next run finds the model ready.
 */
export function getEmbeddedModel(file: string): Promise<LlamaModel> {
  let model = models.get(file);
  if (!model) {
    model = loadModel(file).catch((error: unknown) => {
      models.delete(file);
      throw error;
    });
    models.set(file, model);
  }
  return model;
}

async function loadModel(file: string): Promise<LlamaModel> {
  const { llama } = await getEmbeddedRuntime();
  modelLoads += 1;
  try {
    return await llama.loadModel({ modelPath: file, gpuLayers: 0 });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT') throw new EmbeddedLoadError('not_installed', `model file ${file} not found`, { cause: error });
    throw new EmbeddedLoadError('config', `cannot load model file ${file}: ${firstLine(errorMessage(error))}${logTail()}`, { cause: error });
  }
}

/** How many times a model file was actually read into memory in this process (for tests). */
export function embeddedModelLoadCount(): number {
  return modelLoads;
}

/** llama.cpp's last log line, for a failure message. */
export function logTail(): string {
  const last = recentLogs.at(-1);
  return last ? ` (llama.cpp: ${last})` : '';
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.trim() ?? text;
}
