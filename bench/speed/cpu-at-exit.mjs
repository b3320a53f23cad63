// Preloaded into a measured command (NODE_OPTIONS=--import): at exit, appends the process's own
// CPU time (user + system, ms) to the file named by $BENCH_CPU_FILE. Load on a shared machine
// stretches wall time; the CPU a command spends is the steadier figure.
import { appendFileSync } from 'node:fs';

const file = process.env.BENCH_CPU_FILE;
if (file) {
  process.on('exit', () => {
    const used = process.cpuUsage();
    appendFileSync(file, `${(used.user + used.system) / 1000}\n`);
  });
}
