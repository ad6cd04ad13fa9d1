import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InputError, type InputProblem } from '../../src/model/source.js';
import type { RawDocument } from '../../src/model/documents.js';
import type { CloudTranslation } from '../../src/model/documents.js';
import { translateAwsDocuments } from './translate.js';

/** Test helpers for the AWS translator tests (not used by production code). */

export function fixture(file: string): RawDocument {
  const path = fileURLToPath(new URL(`./testdata/${file}`, import.meta.url));
  return { name: `testdata/${file}`, body: JSON.parse(readFileSync(path, 'utf8')) as unknown };
}

export function doc(name: string, body: unknown): RawDocument {
  return { name, body };
}

export function translate(...docs: RawDocument[]): CloudTranslation {
  return translateAwsDocuments(docs);
}

/** Translates and returns the problems of the InputError it must throw. */
export function problemsOf(...docs: RawDocument[]): InputProblem[] {
  try {
    translateAwsDocuments(docs);
  } catch (err) {
    if (err instanceof InputError) return err.problems;
    throw err;
  }
  throw new Error('expected translateAwsDocuments to throw an InputError');
}

/** A describe-security-groups document with one group holding the given ingress permissions. */
export function groupWithIngress(permissions: unknown[], groupId = 'sg-0123456789abcdef0'): RawDocument {
  return doc('sg.json', {
    SecurityGroups: [
      { GroupId: groupId, GroupName: 'k8s-nodes', VpcId: 'vpc-1', IpPermissions: permissions, IpPermissionsEgress: [] },
    ],
  });
}

/** A describe-security-group-rules document. */
export function rulesDoc(rules: unknown[], name = 'sgr.json'): RawDocument {
  return doc(name, { SecurityGroupRules: rules });
}

export function sgRule(overrides: Record<string, unknown>): Record<string, unknown> {
  return {
    SecurityGroupRuleId: 'sgr-0000000000000000a',
    GroupId: 'sg-0123456789abcdef0',
    GroupOwnerId: '111122223333',
    IsEgress: false,
    IpProtocol: 'udp',
    FromPort: 8472,
    ToPort: 8472,
    CidrIpv4: '172.16.0.0/16',
    ...overrides,
  };
}
