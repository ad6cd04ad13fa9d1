/**
 * sgaudit's version as the renderers print it (HTML footer). Kept in a file of its own so that a
 * renderer can import it without importing main.ts, which loads the command table; it must equal
 * main.ts's VERSION and package.json's, which test/cli/html-format.test.ts checks.
 */
export const TOOL_VERSION = '0.1.0';
