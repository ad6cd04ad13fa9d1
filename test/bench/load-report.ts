/** What each scenario of the load script hands back, and how the runner prints it. */

export interface Target {
  name: string;
  met: boolean;
  /** The measured value against the bound, such as "p99 41 ms < 100 ms". */
  detail: string;
}

export type ScenarioResult =
  | { scenario: string; kind: 'measured'; figures: Record<string, number | string | boolean>; targets: Target[] }
  /** The scenario could not run at all (a flag the CLI does not have yet, the server failed to start). */
  | { scenario: string; kind: 'not-run'; reason: string };

export function missed(result: ScenarioResult): boolean {
  return result.kind === 'not-run' || result.targets.some((t) => !t.met);
}

export function printResult(result: ScenarioResult): void {
  console.log('');
  if (result.kind === 'not-run') {
    console.log(`${result.scenario}: NOT RUN: ${result.reason}`);
    return;
  }
  console.log(`${result.scenario}:`);
  const width = Math.max(...Object.keys(result.figures).map((k) => k.length));
  for (const [key, value] of Object.entries(result.figures)) console.log(`  ${key.padEnd(width)}  ${format(value)}`);
  for (const t of result.targets) console.log(`  ${t.met ? 'OK    ' : 'MISSED'}  ${t.name}: ${t.detail}`);
}

/** Scenarios round their figures with round1; the table shows at most that one decimal. */
function format(value: number | string | boolean): string {
  return typeof value === 'number' ? (Number.isInteger(value) ? String(value) : value.toFixed(1)) : String(value);
}

/** One decimal; infinities (a probe that never answered) pass through for the caller to name. */
export function round1(n: number): number {
  return Number.isFinite(n) ? Math.round(n * 10) / 10 : n;
}
