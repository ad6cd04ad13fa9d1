import type { AuditReport } from '../model/report.js';
import { renderTicketMarkdown } from './render-markdown.js';
import { ticketData, type TicketData } from './ticket-data.js';

export type { TicketCommand, TicketEvidence, TicketRule, TicketSeverity } from './ticket-data.js';

/** A remediation ticket: what the REST ticket endpoint returns; `markdown` is what `--format markdown` prints. */
export interface Ticket extends TicketData {
  markdown: string;
}

export function buildTicket(report: AuditReport): Ticket {
  const data = ticketData(report);
  return { ...data, markdown: renderTicketMarkdown(report, data) };
}
