import { inspect } from 'node:util';

/**
 * Secret bytes read from the environment at start. A plain Buffer in the settings would be
 * printed byte by byte by any logger or inspect() that met the object; this wrapper prints as
 * `[<label>]` everywhere and hands out the bytes only through `bytes()`.
 */
export class RedactedSecret {
  readonly #bytes: Buffer;
  readonly #shown: string;

  constructor(bytes: Buffer, label: string) {
    this.#bytes = bytes;
    this.#shown = `[${label}]`;
  }

  bytes(): Buffer {
    return this.#bytes;
  }

  toJSON(): string {
    return this.#shown;
  }

  toString(): string {
    return this.#shown;
  }

  [inspect.custom](): string {
    return this.#shown;
  }
}
