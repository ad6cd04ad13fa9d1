import type { AuditReport } from '../../model/report.js';
import type { ChangeEvent } from '../../model/run-changes.js';

/** A watch-mode audit just stored; what the change tracker compares with the cluster's previous run. */
export interface WatchRunStored {
  cluster: string;
  auditId: string;
  createdAt: string;
  report: AuditReport;
  probeId?: string;
}

/**
 * The change tracker as the watch loop sees it (src/http/watch/change-tracker.ts implements it):
 * an event when the run differs from the previous one, undefined when nothing changed.
 */
export interface RunObserver {
  onRunStored(run: WatchRunStored): Promise<ChangeEvent | undefined>;
}

/** Where change events go (src/http/watch/webhooks.ts); fire and forget, never throws. */
export interface ChangeSink {
  notify(event: ChangeEvent, links: { audit: string; ticket: string }): void;
}
