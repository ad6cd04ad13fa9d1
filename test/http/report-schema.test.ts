import { describe, expect, it } from 'vitest';
import { runAudit } from '../../src/pipeline/audit.js';
import { readFileInputs } from '../../src/cli/file-inputs.js';
import { demoInputFiles } from '../../src/cli/commands/demo.js';
import { schemaIssues } from '../../src/http/schemas.js';
import { confirmFindings } from '../../src/probe/confirm.js';
import type { PairSpec, ProbeResult, ProbeVerdict } from '../../src/model/probe.js';
import { specAndSchemas } from '../support/openapi-response.js';

/**
 * openapi.yaml's AuditReport is the CLI's JSON contract too, so the fields that only
 * `audit --probe` writes must be in it as well, not only what the REST routes return.
 */
function probe(verdict: ProbeVerdict) {
  return async (pairs: PairSpec[]): Promise<ProbeResult[]> =>
    pairs.map((p) => ({
      sourceNode: p.source,
      sourceIp: '172.16.10.11',
      destinationNode: p.destination,
      destinationIp: '172.16.10.85',
      verdict,
      evidence: {
        overlay: { destinationIp: '10.244.1.0', sent: 3, received: verdict === 'ok' ? 3 : 0, sendErrors: [], seenFrom: [] },
        underlay: { destinationIp: '172.16.10.85', sent: 3, received: 3, sendErrors: [], seenFrom: ['172.16.10.11'] },
        mtu: { tested: false, reason: 'overlay blocked' },
        timings: { sendMs: 3, waitMs: 600, collectMs: 2 },
        reason: `probe ${verdict}`,
      },
    }));
}

describe('openapi.yaml AuditReport describes probed reports', () => {
  it.each<[ProbeVerdict, string]>([
    ['blocked', 'confirmed'],
    ['ok', 'contradicted'],
  ])('a report confirmed by %s probes validates, with confirmation %s', async (verdict, confirmation) => {
    const { report, evaluation } = runAudit(await readFileInputs(demoInputFiles()));
    const probed = await confirmFindings(report, evaluation, probe(verdict));
    expect(probed.probe).toBeDefined();
    expect(probed.findings[0]?.confirmation).toBe(confirmation);
    const { schemas } = specAndSchemas();
    const validate = schemas.validator({ $ref: '#/components/schemas/AuditReport' });
    const ok = validate(probed);
    expect(ok ? [] : schemaIssues(validate.errors)).toEqual([]);
  });
});
