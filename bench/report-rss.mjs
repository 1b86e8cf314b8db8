// Loaded with `node --import` into the process being measured: on exit, writes its peak resident
// set size (the kernel's high-water mark, in bytes) and the CPU time it used (user and system, all
// of its threads, in microseconds) to the file named by PAPERBOY_BENCH_RSS_FILE.
import { writeFileSync } from 'node:fs';

const file = process.env.PAPERBOY_BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(
      file,
      JSON.stringify({
        maxRssBytes: usage.maxRSS * 1024,
        cpuMicros: usage.userCPUTime + usage.systemCPUTime,
      }),
    );
  });
}
