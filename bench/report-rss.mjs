// Loaded with `node --import` into the process being measured: on exit, writes its peak resident
// set size (the kernel's high-water mark, in bytes) to the file named by PAPERBOY_BENCH_RSS_FILE.
import { writeFileSync } from 'node:fs';

const file = process.env.PAPERBOY_BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    writeFileSync(file, JSON.stringify({ maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
  });
}
