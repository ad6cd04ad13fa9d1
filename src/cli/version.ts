/**
 * sgaudit's version, for `--version` and the renderers (HTML footer, SARIF driver). In a file of
 * its own so that a renderer can import it without importing main.ts, which loads the command
 * table; test/cli/html-format.test.ts checks it equals package.json's.
 */
export const TOOL_VERSION = '0.1.0';
