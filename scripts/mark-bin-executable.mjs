// tsc writes files with mode 0644; the `sgaudit` bin must be executable for `npx sgaudit`
// to run it directly (npm only sets the mode when it links a dependency's bin, not the root package's).
import { chmodSync, readFileSync } from 'node:fs';

const { bin } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
for (const path of Object.values(bin)) chmodSync(new URL(`../${path}`, import.meta.url), 0o755);
