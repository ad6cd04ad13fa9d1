/** Placeholder until src/whatif exposes runWhatif; replaced when it lands. */
export type WhatifRunner = (body: unknown) => unknown;
