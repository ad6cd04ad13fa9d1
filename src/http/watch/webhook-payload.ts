import type { ChangeEvent, ChangeKind, FindingRef, PairChange } from '../../model/run-changes.js';

/**
 * How many entries each list of a payload shows. A change that blocks a 1,000-node cluster
 * touches a million pairs; the receiver gets the exact counts and the first entries, and the
 * audit link has the rest.
 */
export const MAX_LISTED = 100;

export interface WebhookFix {
  target: string;
  direction: string;
  flow: string;
  cidr: string;
  cli: string;
  terraform: string;
}

/** The `json` format's body; docs/watch.md shows an example. */
export interface WebhookPayload {
  cluster: string;
  event: ChangeKind;
  at: string;
  audit: { id: string; url: string };
  ticket: { url: string };
  previousAuditId: string | null;
  summary: ChangeEvent['summary'];
  /** The full length of each list below, whatever the lists show. */
  counts: { newlyBlocked: number; resolved: number; newlyUnknown: number; newFindings: number; goneFindings: number; newContradictions: number; fixes: number };
  truncated: {
    /** Some list below shows only its first MAX_LISTED entries; `counts` has the full numbers. */
    lists: boolean;
    /** The audits listed only sample pairs of some findings, so the pair lists may miss pairs; finding pairCount values are exact. */
    pairs: boolean;
  };
  newlyBlocked: PairChange[];
  resolved: PairChange[];
  newlyUnknown: PairChange[];
  newFindings: FindingRef[];
  goneFindings: FindingRef[];
  newContradictions: FindingRef[];
  /** The exact rules to add, as CLI command and Terraform block. */
  fixes: WebhookFix[];
}

export interface Links {
  audit: string;
  ticket: string;
}

export function jsonPayload(event: ChangeEvent, links: Links): WebhookPayload {
  const c = event.changes;
  const fixes: WebhookFix[] = c.newRemediations.map((r) => ({ target: r.target, direction: r.direction, flow: r.flow, cidr: r.cidr, cli: r.cli, terraform: r.terraform }));
  const lists = [c.newlyBlocked, c.resolved, c.newlyUnknown, c.newFindings, c.goneFindings, c.newContradictions, fixes];
  return {
    cluster: event.cluster,
    event: event.kind,
    at: event.at,
    audit: { id: event.auditId, url: links.audit },
    ticket: { url: links.ticket },
    previousAuditId: event.previousAuditId,
    summary: event.summary,
    counts: {
      newlyBlocked: c.newlyBlocked.length,
      resolved: c.resolved.length,
      newlyUnknown: c.newlyUnknown.length,
      newFindings: c.newFindings.length,
      goneFindings: c.goneFindings.length,
      newContradictions: c.newContradictions.length,
      fixes: fixes.length,
    },
    truncated: { lists: lists.some((l) => l.length > MAX_LISTED), pairs: c.pairsTruncated },
    newlyBlocked: c.newlyBlocked.slice(0, MAX_LISTED),
    resolved: c.resolved.slice(0, MAX_LISTED),
    newlyUnknown: c.newlyUnknown.slice(0, MAX_LISTED),
    newFindings: c.newFindings.slice(0, MAX_LISTED),
    goneFindings: c.goneFindings.slice(0, MAX_LISTED),
    newContradictions: c.newContradictions.slice(0, MAX_LISTED),
    fixes: fixes.slice(0, MAX_LISTED),
  };
}

/** Slack shows a message, not a report: a few pairs and fixes, then the links. */
const SLACK_PAIRS = 10;
const SLACK_FIXES = 5;
/** Slack refuses a section text over 3,000 characters. */
const SLACK_SECTION_CHARS = 2900;

interface SlackBlock {
  type: string;
  [key: string]: unknown;
}

/** A Slack incoming-webhook body (`text` is the notification fallback, `blocks` the message). */
export function slackPayload(event: ChangeEvent, links: Links): { text: string; blocks: SlackBlock[] } {
  const c = event.changes;
  const headline = slackHeadline(event);
  const s = event.summary;
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(headline, 150) } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*${s.blocked}* blocked · *${s.unknown}* unknown · *${s.allowed}* allowed of ${s.directedPairs} directed pairs\n<${links.audit}|audit ${esc(event.auditId)}> · <${links.ticket}|ticket>`,
      },
    },
  ];
  for (const [title, pairs] of [
    ['Newly blocked', c.newlyBlocked],
    ['Resolved', c.resolved],
    ['Newly unknown', c.newlyUnknown],
  ] as const) {
    if (pairs.length === 0) continue;
    const lines = pairs.slice(0, SLACK_PAIRS).map((p) => `• ${esc(p.sourceNode)} → ${esc(p.destinationNode)}  \`${esc(p.requirement)}\` (${p.before} → ${p.after})`);
    if (pairs.length > SLACK_PAIRS) lines.push(`… and ${pairs.length - SLACK_PAIRS} more`);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(`*${title}: ${pairs.length} pair${pairs.length === 1 ? '' : 's'}*\n${lines.join('\n')}`, SLACK_SECTION_CHARS) } });
  }
  c.newRemediations.slice(0, SLACK_FIXES).forEach((r) => {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `*Fix:* ${esc(r.direction)} ${esc(r.flow)} ${esc(r.cidr)} on ${esc(r.target)}\n\`\`\`${clip(esc(r.cli), SLACK_SECTION_CHARS - 400)}\`\`\`` },
    });
  });
  if (c.newRemediations.length > SLACK_FIXES) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `… and ${c.newRemediations.length - SLACK_FIXES} more fixes in the audit` }] });
  return { text: `${headline} — ${links.audit}`, blocks };
}

function slackHeadline(event: ChangeEvent): string {
  const c = event.changes;
  const n = (count: number, what: string): string => `${count} ${what}${count === 1 ? '' : 's'}`;
  switch (event.kind) {
    case 'blocked':
      return `sgaudit ${event.cluster}: ${c.newlyBlocked.length > 0 ? `${n(c.newlyBlocked.length, 'pair')} newly blocked` : `${n(c.newFindings.length, 'new finding')}`}`;
    case 'resolved':
      return `sgaudit ${event.cluster}: ${c.resolved.length > 0 ? `${n(c.resolved.length, 'pair')} resolved` : `${n(c.goneFindings.length, 'finding')} gone`}`;
    case 'changed':
      return `sgaudit ${event.cluster}: changed (${n(c.newlyUnknown.length, 'pair')} newly unknown, ${n(c.newFindings.length, 'new finding')})`;
  }
}

/** Slack's mrkdwn treats &, < and > as markup; node names and rule text come from the clusters. */
function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
