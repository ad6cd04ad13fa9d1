// The floor of `npm run bench` (process-bench): a process that only reads and JSON-parses the
// files it is given, the least any audit of them must do. Usage: node floor.mjs file1 file2 ...
import { readFileSync } from 'node:fs';

for (const file of process.argv.slice(2)) JSON.parse(readFileSync(file, 'utf8'));
