/**
 * Reading the Linux process table (/proc) to find what an agent started outside its process group
 * (`setsid`, double forks, daemons). Every process we spawn carries a run tag in its environment
 * (`AIO_RUN_ID=<our pid>-<our start time>-<n>`); its descendants inherit it, and the kernel keeps
 * the initial environment readable in /proc/<pid>/environ for as long as they live — also after we
 * die, which is how the next command finds what a killed orchestrator left behind. A descendant
 * that cleared its environment is found through its parent chain while that chain still leads to
 * the agent. Without /proc (macOS, BSD) nothing is found and only the process group is killed.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readProcBytes, readProcText } from './proc-file.js';

/** The environment variable that marks every process we start and everything it starts. */
export const RUN_TAG_VARIABLE = 'AIO_RUN_ID';

const TAG_KEY = Buffer.from(`${RUN_TAG_VARIABLE}=`);

/** The start time (clock ticks since boot) of a live pid, or undefined when it cannot be known. */
export function processStartTime(pid: number): string | undefined {
  const stat = readStat(pid);
  return stat && stat.state !== 'Z' ? stat.startTime : undefined;
}

interface Stat {
  readonly ppid: number;
  readonly pgid: number;
  readonly state: string;
  readonly startTime: string;
}

function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readProcText(`/proc/${pid}/stat`);
  } catch {
    return undefined;
  }
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const [state, ppid, pgid] = fields;
  const startTime = fields[19];
  if (state === undefined || ppid === undefined || pgid === undefined || startTime === undefined) return undefined;
  return { state, ppid: Number(ppid), pgid: Number(pgid), startTime };
}

let ownerTag: string | undefined;
let sequence = 0;

/** The part of every tag that names this orchestrator process: `<pid>-<start time>`. */
function ownTag(): string {
  ownerTag ??= `${process.pid}-${processStartTime(process.pid) ?? '0'}`;
  return ownerTag;
}

/** A tag unique to one spawned process (and its descendants). */
export function newRunTag(): string {
  sequence += 1;
  return `${ownTag()}-${sequence}`;
}

/**
 * A point in the kernel's pid sequence, taken when a process is spawned: everything it starts
 * later gets a larger pid — unless the counter wrapped around meanwhile, which the kernel's fork
 * count tells. Lets a sweep read the environment of the few processes created since, not of all.
 */
export interface PidMark {
  readonly pid: number;
  readonly forks: number | undefined;
}

export function markPid(pid: number): PidMark {
  return { pid, forks: forkCount() };
}

/** Processes created since boot (`processes` in /proc/stat). */
function forkCount(): number | undefined {
  try {
    const match = /\nprocesses (\d+)/.exec(readProcText('/proc/stat'));
    return match?.[1] === undefined ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

/** The pid handed out last (the last field of /proc/loadavg). */
function lastPid(): number | undefined {
  try {
    const last = Number(readProcText('/proc/loadavg').trim().split(' ').at(-1));
    return Number.isInteger(last) ? last : undefined;
  } catch {
    return undefined;
  }
}

let pidMaxCache: number | undefined;
function pidMax(): number {
  if (pidMaxCache === undefined) {
    try {
      pidMaxCache = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8').trim()) || 4_194_304;
    } catch {
      pidMaxCache = 4_194_304;
    }
  }
  return pidMaxCache;
}

/** Pids below this are never reused by the kernel after a wrap. */
const RESERVED_PIDS = 300;

/**
 * Up to this many pids handed out since a mark, each is looked up by number instead of listing
 * /proc (which costs the kernel an entry per process on the machine: ≈ 0.3 ms after each agent).
 */
const LOOKUP_LIMIT = 64;

/**
 * Live pids that may have been created after `mark` (all live pids when that cannot be told).
 * Looked up by number, they may include threads' ids: `findTagged` keeps processes only.
 */
function pidsSince(mark: PidMark | undefined): number[] {
  if (mark?.forks === undefined) return livePids();
  const forks = forkCount();
  const before = lastPid();
  if (forks === undefined || before === undefined) return livePids();
  if (before - mark.pid <= LOOKUP_LIMIT && !wrappedSince(mark, { last: before, forks }, pidMax())) {
    const found: number[] = [];
    for (let pid = mark.pid + 1; pid <= before; pid += 1) if (pid !== process.pid && existsSync(`/proc/${pid}`)) found.push(pid);
    return found;
  }
  const pids = livePids();
  // Read after the listing: whatever it holds that was created since the mark has a pid up to this.
  return createdSince(pids, mark, { last: lastPid() ?? before, forks }, pidMax());
}

/**
 * Of `pids`, those that may have been created after `mark`, given the kernel's last pid and fork
 * count now. Without a wrap of the pid counter since the mark, every pid handed out since lies
 * in (mark, last]: a larger one belongs to a process older than the mark (left from the counter's
 * previous round), so it is not read. A wrap shows as a last pid below the mark, or (all the
 * way round) as at least pid_max forks: then every pid may be new.
 */
export function createdSince(pids: readonly number[], mark: PidMark, now: KernelCounters, maxPid: number): number[] {
  if (wrappedSince(mark, now, maxPid)) return [...pids];
  return pids.filter((pid) => pid > mark.pid && pid <= now.last);
}

/** The kernel's last pid handed out and its fork count, read after a mark. */
interface KernelCounters {
  readonly last: number;
  readonly forks: number;
}

/** Whether the pid counter may have wrapped since the mark (or that cannot be told). */
function wrappedSince(mark: PidMark, now: KernelCounters, maxPid: number): boolean {
  return mark.forks === undefined || now.last < mark.pid || now.forks - mark.forks >= maxPid - RESERVED_PIDS;
}

/** Live pids other than ours (an empty list where there is no /proc). */
function livePids(): number[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const name of names) {
    const code = name.charCodeAt(0);
    if (code < 48 || code > 57) continue;
    const pid = Number(name);
    if (Number.isInteger(pid) && pid !== process.pid) pids.push(pid);
  }
  return pids;
}

/** The run tag in a process's initial environment; undefined when absent or unreadable (another user's). */
export function runTagOf(pid: number): string | undefined {
  let environ: Buffer;
  try {
    environ = readProcBytes(`/proc/${pid}/environ`);
  } catch {
    return undefined;
  }
  let at = environ.indexOf(TAG_KEY);
  // The key must start an entry: at the beginning or right after a NUL.
  while (at > 0 && environ[at - 1] !== 0) at = environ.indexOf(TAG_KEY, at + 1);
  if (at < 0) return undefined;
  const start = at + TAG_KEY.length;
  const end = environ.indexOf(0, start);
  return environ.subarray(start, end < 0 ? environ.length : end).toString('utf8');
}

/**
 * Live processes whose run tag satisfies `matches` (only those created after `since`, when given;
 * never the pids in `skip`, whose tags are known not to match).
 */
export function findTagged(matches: (tag: string) => boolean, since?: PidMark, skip?: ReadonlySet<number>): number[] {
  const found: number[] = [];
  for (const pid of pidsSince(since)) {
    if (skip?.has(pid)) continue;
    const tag = runTagOf(pid);
    // A thread's id reads as its process (same environment): the process is what is signalled.
    if (tag !== undefined && matches(tag) && leadsThreadGroup(pid)) found.push(pid);
  }
  return found;
}

/** Whether a pid is a process, not another thread of one (its thread group id is itself). */
function leadsThreadGroup(pid: number): boolean {
  try {
    const match = /^Tgid:\s*(\d+)$/m.exec(readProcText(`/proc/${pid}/status`));
    return match?.[1] !== undefined && Number(match[1]) === pid;
  } catch {
    return false;
  }
}

/** Every live descendant of `root` by parent links, as the table reads now. */
export function descendantsOf(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const pid of livePids()) {
    const stat = readStat(pid);
    if (!stat || stat.state === 'Z') continue;
    const siblings = children.get(stat.ppid);
    if (siblings) siblings.push(pid);
    else children.set(stat.ppid, [pid]);
  }
  const found: number[] = [];
  const queue = [root];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const child of children.get(next) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/**
 * Signals each pid and, when it leads a process group of its own (it called setsid), that group
 * too: what it started there may have dropped the tag. Returns how many were signalled.
 */
export function signalProcesses(pids: readonly number[], signal: NodeJS.Signals): number {
  let signalled = 0;
  for (const pid of pids) {
    const leadsGroup = readStat(pid)?.pgid === pid;
    try {
      process.kill(pid, signal);
      signalled += 1;
    } catch {
      // Gone already, or not ours to signal.
    }
    if (leadsGroup) {
      try {
        process.kill(-pid, signal);
      } catch {
        // The group is gone already.
      }
    }
  }
  return signalled;
}

/**
 * SIGKILLs every live process carrying `tag`, in rounds until none is left (one that forked
 * between the scan and the kill is caught by the next round). Returns how many were killed.
 * `skip`: pids not to read (the leaders of our other agents, each with a tag of its own).
 */
export function killTagged(tag: string, since?: PidMark, skip?: ReadonlySet<number>, maxRounds = 5): number {
  let killed = 0;
  for (let round = 0; round < maxRounds; round += 1) {
    const found = findTagged((candidate) => candidate === tag, since, skip);
    if (found.length === 0) break;
    killed += signalProcesses(found, 'SIGKILL');
  }
  return killed;
}

/**
 * After our own death, the next command cleans up: SIGKILLs every process whose tag names the
 * orchestrator `ownerPid` while that orchestrator is no longer the process with that pid (it died,
 * or its pid now belongs to another process). A live orchestrator's processes are never touched.
 */
export function killOrphansOf(ownerPid: number, maxRounds = 5): number {
  const prefix = `${ownerPid}-`;
  const liveOwner = `${ownerPid}-${processStartTime(ownerPid) ?? 'gone'}-`;
  const orphaned = (tag: string): boolean => tag.startsWith(prefix) && !tag.startsWith(liveOwner);
  let killed = 0;
  for (let round = 0; round < maxRounds; round += 1) {
    const found = findTagged(orphaned);
    if (found.length === 0) break;
    killed += signalProcesses(found, 'SIGKILL');
  }
  return killed;
}
