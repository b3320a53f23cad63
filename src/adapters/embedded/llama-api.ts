/**
 * The slice of node-llama-cpp's API this adapter calls, declared here because the package is an
 * optional peer: a default install does not have it (its CUDA and Vulkan builds are ~700 MB a CPU
 * machine never uses), yet the project must type-check and build without it. The embedded tests
 * run these calls against the real package wherever it is installed, CI included.
 */
export interface LlamaTokenMeter {
  readonly usedInputTokens: number;
  readonly usedOutputTokens: number;
}

export interface LlamaContextSequence {
  readonly tokenMeter: LlamaTokenMeter;
}

export interface LlamaContext {
  getSequence(): LlamaContextSequence;
  dispose(): Promise<void>;
}

export interface LlamaModel {
  readonly trainContextSize: number;
  createContext(options: { contextSize: number; threads?: number; sequences: number }): Promise<LlamaContext>;
}

export interface Llama {
  loadModel(options: { modelPath: string; gpuLayers: number }): Promise<LlamaModel>;
}

export interface LlamaPromptOptions {
  signal?: AbortSignal;
  maxTokens?: number;
  onTextChunk?: (chunk: string) => void;
  temperature?: number;
  topK?: number;
  topP?: number;
  seed?: number;
}

export interface LlamaChatSession {
  promptWithMeta(prompt: string, options: LlamaPromptOptions): Promise<{ responseText: string }>;
}

export interface NodeLlamaCpp {
  readonly LlamaLogLevel: { readonly warn: string };
  getLlama(options: {
    gpu: false;
    build: 'never';
    skipDownload: boolean;
    usePrebuiltBinaries: boolean;
    progressLogs: boolean;
    maxThreads: number;
    logLevel: string;
    logger: (level: string, message: string) => void;
  }): Promise<Llama>;
  readonly LlamaChatSession: new (options: { contextSequence: LlamaContextSequence; systemPrompt: string }) => LlamaChatSession;
}
