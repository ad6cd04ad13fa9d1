import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseProviderId } from './provider-id.js';

describe('parseProviderId', () => {
  it.each([
    ['aws:///us-east-1a/i-0abc', { provider: 'aws', instanceId: 'i-0abc', zone: 'us-east-1a', raw: 'aws:///us-east-1a/i-0abc' }],
    ['aws:////i-0abc', { provider: 'aws', instanceId: 'i-0abc', raw: 'aws:////i-0abc' }],
    ['aws:///us-east-1a/i-0abc/', { provider: 'aws', instanceId: 'i-0abc', zone: 'us-east-1a', raw: 'aws:///us-east-1a/i-0abc/' }],
    ['i-0abc', { provider: 'aws', instanceId: 'i-0abc', raw: 'i-0abc' }],
    ['openstack:///1b2c', { provider: 'openstack', serverId: '1b2c', raw: 'openstack:///1b2c' }],
    ['gce://project/zone/vm', { provider: 'other', raw: 'gce://project/zone/vm' }],
  ])('%s', (raw, id) => {
    expect(parseProviderId(raw)).toEqual({ id });
  });

  it.each(['aws:///us-east-1a/fargate-ip-10-0-0-1', 'aws:///a/b/i-0abc', 'aws://', 'aws:///', 'aws:///i-', 'aws:///zone//i-1'])(
    '%s names no EC2 instance',
    (raw) => {
      const parsed = parseProviderId(raw);
      expect(parsed.id).toEqual({ provider: 'other', raw });
      expect(parsed.problem).toContain('without an EC2 instance id');
    },
  );

  // An independent regex form of the AWS rules; both must agree on every input.
  const viaRegex = (raw: string): unknown => {
    if (!raw.startsWith('aws://') && !/^i-[^/]+$/.test(raw)) return 'not aws';
    const segments = (raw.startsWith('aws://') ? raw.slice(6) : raw).replace(/^\/+|\/+$/g, '').split('/');
    const instanceId = segments[segments.length - 1] ?? '';
    if (segments.length > 2 || !/^i-[^/]+$/.test(instanceId)) return 'problem';
    return segments.length === 2 ? [segments[0], instanceId] : [instanceId];
  };
  const viaParser = (raw: string): unknown => {
    const { id, problem } = parseProviderId(raw);
    if (problem) return 'problem';
    if (id.provider !== 'aws') return 'not aws';
    return id.zone ? [id.zone, id.instanceId] : [id.instanceId];
  };

  it('agrees with the regex form of the AWS rules', () => {
    const piece = fc.constantFrom('aws://', '/', '//', 'i-', 'i-0abc', 'us-east-1a', 'x', '', '\n');
    const text = fc.oneof(fc.array(piece, { maxLength: 6 }).map((p) => p.join('')), fc.string({ maxLength: 12 }));
    fc.assert(fc.property(text, (raw) => raw.startsWith('openstack://') || JSON.stringify(viaParser(raw)) === JSON.stringify(viaRegex(raw))), { numRuns: 3000 });
  });
});
