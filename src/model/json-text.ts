/**
 * Parses JSON text, turning V8's "at position N" errors into a reason with a line and
 * column, which is what a person looking at the file needs.
 */
export function parseJsonText(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    const message = (e as Error).message;
    const match = /at position (\d+)/.exec(message);
    // Some V8 messages carry no position ("Unexpected token 'o', "nope" is not valid JSON").
    const position = match ? Number(match[1]) : /Unexpected end/.test(message) ? text.length : undefined;
    const what = message
      .replace(/\s*\(line \d+ column \d+\)/, '')
      .replace(/\s*in JSON at position \d+/, '')
      .replace(/,\s*".*" is not valid JSON$/s, '');
    if (position === undefined) return { ok: false, reason: `malformed JSON: ${what}` };
    const { line, column } = lineColumn(text, position);
    return { ok: false, reason: `malformed JSON at line ${line} column ${column}: ${what}` };
  }
}

export function lineColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, position);
  const lines = before.split('\n');
  return { line: lines.length, column: (lines[lines.length - 1]?.length ?? 0) + 1 };
}
