import { inspect } from 'node:util';

/**
 * The shared probe secret of a configured cluster. A plain Buffer in the cluster's settings
 * would be printed byte by byte by any logger or inspect() that met the object; this wrapper
 * prints as `[probe secret]` everywhere and hands out the bytes only through `bytes()`.
 */
export class ProbeSecret {
  readonly #bytes: Buffer;

  constructor(bytes: Buffer) {
    this.#bytes = bytes;
  }

  bytes(): Buffer {
    return this.#bytes;
  }

  toJSON(): string {
    return '[probe secret]';
  }

  toString(): string {
    return '[probe secret]';
  }

  [inspect.custom](): string {
    return '[probe secret]';
  }
}
