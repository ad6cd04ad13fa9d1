/** Process exit codes, shared by every command so scripts can rely on them. */
export const EXIT_CLEAN = 0;
/** Something is blocked or unknown (audit), newly blocked (whatif), or a probe failed. */
export const EXIT_FINDINGS = 1;
/** Bad input or usage. */
export const EXIT_BAD_INPUT = 2;
