export { spawnProcess, runProcess } from './spawn-process.js';
export type { SpawnProcessOptions, ProcessResult, RunningProcess } from './spawn-process.js';
export { killGroup, liveGroupCount } from './kill-group.js';
export { findExecutable } from './find-executable.js';
export { runGit } from './run-git.js';
export type { GitResult, RunGitOptions } from './run-git.js';
