import { RedactedSecret } from './redacted-secret.js';

/** The shared probe secret of a configured cluster; prints as `[probe secret]`. */
export class ProbeSecret extends RedactedSecret {
  constructor(bytes: Buffer) {
    super(bytes, 'probe secret');
  }
}
