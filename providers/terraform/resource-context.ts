import type { IssueCollector } from '../../src/model/issues.js';
import type { ModelChange } from '../../src/model/changes.js';
import { configuredState } from './configuration.js';
import type { ParsedPlan, PlanResourceChange } from './plan-document.js';
import { PlannedObject, UnknownUntilApplyValue } from './planned-object.js';

/** What one resource change amounts to. */
export interface ResourceTranslation {
  changes: ModelChange[];
  /** Attributes known only after apply that decide the resource's effect. */
  unknown: { attribute: string; reason: string }[];
  /** Parts of the change that matter for node traffic but are not modeled. */
  unsupported: string[];
}

export function emptyTranslation(): ResourceTranslation {
  return { changes: [], unknown: [], unsupported: [] };
}

/** Access to one resource change of a plan, for the per-type translators. */
export class ResourceContext {
  constructor(
    readonly plan: ParsedPlan,
    readonly change: PlanResourceChange,
    /** The plan's collector; translators record warnings here, problems are thrown as InputError. */
    readonly issues: IssueCollector,
  ) {}

  get address(): string {
    return this.change.address;
  }

  /** The prior state; always fully known. */
  before(): PlannedObject | undefined {
    const b = this.change.before;
    return b ? new PlannedObject(b, {}, this.plan.document, `${this.change.pointer}/change/before`, '') : undefined;
  }

  after(): PlannedObject | undefined {
    const a = this.change.after;
    return a ? new PlannedObject(a, this.change.afterUnknown, this.plan.document, `${this.change.pointer}/change/after`, '') : undefined;
  }

  /**
   * Stand-in id for an object whose real id exists only after apply. No snapshot object
   * has it, so nothing the snapshot knows refers to it.
   */
  placeholderId(): string {
    return `terraform:${this.address}`;
  }

  /**
   * For a computed attribute that is unknown: true when the configuration leaves it out
   * (the provider fills in "not set"), false when it is configured (or no configuration tells).
   */
  notConfigured(attribute: string): boolean {
    return configuredState(this.plan.configuration, this.address, attribute) === 'not-configured';
  }
}

/** Runs `read`, turning an unknown-until-apply value into a report entry instead of a change. */
export function guarded<T>(out: ResourceTranslation, read: () => T): T | undefined {
  try {
    return read();
  } catch (e) {
    if (e instanceof UnknownUntilApplyValue) {
      out.unknown.push({ attribute: e.attribute, reason: e.reason });
      return undefined;
    }
    throw e;
  }
}
