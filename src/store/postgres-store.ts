import pg from 'pg';
import type { AuditReport, ReportSummary } from '../model/report.js';
import { pendingMigrations } from './migrations.js';
import { deletionRange, planPrune, type PrunePlan } from './prune-plan.js';
import { boundedReportText, checkedReportBound, storedReport } from './report-json.js';
import { KEPT_LEASES_PER_CLUSTER, type WatchClaim, type WatchClaimResult, type WatchRunOutcome } from './watch-lease.js';
import type { AuditCursor, AuditFilter, ChangePage, FindingsSince, StoredChange, AuditListItem, AuditOrigin, AuditPage, AuditRecord, AuditStore, PageRequest, ProbeListItem, ProbePage, RetentionPolicy, SerializedAudit, SerializedProbe, StoredAuditJson, StoredProbeJson } from './types.js';

export interface PostgresStoreOptions {
  connectionString: string;
  /** Schema to keep the tables in (created when missing); tests use one per run. Default: the server's search_path. */
  schema?: string;
  /** Pool size. */
  maxConnections?: number;
  /** Largest report JSON `save` accepts, in bytes; default and ceiling MAX_STORED_REPORT_BYTES (report-json.ts). */
  maxReportBytes?: number;
}

/** The tables retention prunes; names from this list only ever reach SQL text. */
type PrunedTable = 'audits' | 'probes';

interface ProbeRow {
  id: string;
  created_at: Date;
  cluster: string;
  pairs: number;
  verdicts: Record<string, number>;
  elapsed_ms: number;
  report?: string;
}

interface Row {
  id: string;
  created_at: Date;
  cluster: string | null;
  origin: AuditOrigin;
  summary: ReportSummary;
  findings: number;
  remediations: number;
  /** Read as `report::text`: the stored JSON text, which node-postgres would otherwise parse. */
  report?: string;
}

/** Same lock key in every sgaudit process, so replicas starting together migrate one at a time. */
const MIGRATION_LOCK = 'sgaudit schema migrations';
/** Prefix of the per-cluster advisory lock that serializes watch-run claims. */
const WATCH_LEASE_LOCK = 'sgaudit watch lease';

export class PostgresAuditStore implements AuditStore {
  readonly kind = 'postgres';
  private readonly pool: pg.Pool;
  private readonly maxReportBytes: number;

  private constructor(pool: pg.Pool, maxReportBytes: number) {
    this.pool = pool;
    this.maxReportBytes = maxReportBytes;
  }

  static async open(options: PostgresStoreOptions): Promise<PostgresAuditStore> {
    const schema = options.schema;
    const maxReportBytes = checkedReportBound(options.maxReportBytes);
    if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
      throw new Error(`PostgreSQL schema name ${JSON.stringify(schema)} must be a lower-case SQL identifier`);
    }
    const pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: 5000,
      ...(schema !== undefined ? { options: `-c search_path=${schema}` } : {}),
    });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    try {
      await migrate(pool, schema);
    } catch (e) {
      await pool.end();
      throw e;
    }
    return new PostgresAuditStore(pool, maxReportBytes);
  }

  async save(r: AuditRecord | SerializedAudit): Promise<void> {
    const { text, counts } = storedReport(r, this.maxReportBytes);
    await this.pool.query(
      `INSERT INTO audits (id, created_at, cluster, origin, summary, findings, remediations, report)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [r.id, r.createdAt, r.cluster, r.origin, JSON.stringify(counts.summary), counts.findings, counts.remediations, text],
    );
  }

  async get(id: string): Promise<AuditRecord | undefined> {
    const stored = await this.getJson(id);
    return stored && { ...stored.head, report: JSON.parse(stored.reportJson) as AuditReport };
  }

  /** The report column is `json` (text kept as written, see migrations.ts), so `::text` gives back exactly the saved text. */
  async getJson(id: string): Promise<StoredAuditJson | undefined> {
    // Ids are UUIDs in this store; anything else cannot exist and would make the cast fail.
    if (!isUuid(id)) return undefined;
    const { rows } = await this.pool.query<Row>('SELECT id, created_at, cluster, origin, report::text AS report FROM audits WHERE id = $1', [id]);
    const row = rows[0];
    if (!row || row.report === undefined) return undefined;
    return { head: { id: row.id, createdAt: row.created_at.toISOString(), cluster: row.cluster, origin: row.origin }, reportJson: row.report };
  }

  async list(filter: AuditFilter, page: PageRequest): Promise<AuditPage> {
    const query = listQuery(filter, page);
    if (query === undefined) return { items: [] };
    const args = query.args;
    const sql = `SELECT id, created_at, cluster, origin, summary, findings, remediations FROM audits ${query.where}
      ORDER BY created_at DESC, id DESC LIMIT ${query.limit}`;
    const { rows } = await this.pool.query<Row>(sql, args);
    const items = rows.slice(0, page.limit).map(toListItem);
    const last = items[items.length - 1];
    return rows.length > page.limit && last ? { items, next: { createdAt: last.createdAt, id: last.id } } : { items };
  }

  /**
   * Two statements without a transaction: a row inserted or pruned by another replica between
   * them can only make this call delete fewer rows than it might, never a row the policy keeps,
   * because the count boundary only moves towards newer audits. Autovacuum reclaims the space.
   */
  async prune(policy: RetentionPolicy, now: Date, batchLimit?: number): Promise<number> {
    const plan = planPrune(policy, now, batchLimit);
    if (plan.kind === 'keep-all') return 0;
    const audits = await this.pruneTable('audits', plan, plan.batchLimit);
    return audits + (await this.pruneTable('probes', plan, plan.batchLimit - audits));
  }

  private async pruneTable(table: PrunedTable, plan: Extract<PrunePlan, { kind: 'prune' }>, budget: number): Promise<number> {
    if (budget <= 0) return 0;
    let beyond: { createdAt: string; id: string } | undefined;
    if (plan.keepNewest !== undefined) {
      const { rows } = await this.pool.query<{ created_at: Date; id: string }>(
        `SELECT created_at, id FROM ${table} ORDER BY created_at DESC, id DESC OFFSET $1 LIMIT 1`,
        [plan.keepNewest],
      );
      const row = rows[0];
      if (row) beyond = { createdAt: row.created_at.toISOString(), id: row.id };
    }
    const range = deletionRange(plan, beyond);
    if (range === undefined) return 0;
    const [where, args]: [string, unknown[]] =
      range.kind === 'created-before'
        ? ['created_at < $1::timestamptz', [range.createdAt]]
        : ['(created_at, id) <= ($1::timestamptz, $2::uuid)', [range.key.createdAt, range.key.id]];
    // Oldest first, so a partial batch never leaves a gap in the middle of the history.
    const result = await this.pool.query(
      `DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE ${where} ORDER BY created_at, id LIMIT $${args.length + 1})`,
      [...args, budget],
    );
    return result.rowCount ?? 0;
  }

  async saveProbe(p: SerializedProbe): Promise<void> {
    const text = boundedReportText(p.reportJson, this.maxReportBytes);
    await this.pool.query(
      'INSERT INTO probes (id, created_at, cluster, pairs, verdicts, elapsed_ms, report) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [p.id, p.createdAt, p.cluster, p.counts.pairs, JSON.stringify(p.counts.verdicts), Math.round(p.counts.elapsedMs), text],
    );
  }

  async getProbeJson(id: string): Promise<StoredProbeJson | undefined> {
    if (!isUuid(id)) return undefined;
    const { rows } = await this.pool.query<ProbeRow>('SELECT id, created_at, cluster, report::text AS report FROM probes WHERE id = $1', [id]);
    const row = rows[0];
    if (!row || row.report === undefined) return undefined;
    return { head: { id: row.id, createdAt: row.created_at.toISOString(), cluster: row.cluster }, reportJson: row.report };
  }

  async listProbes(filter: AuditFilter, page: PageRequest): Promise<ProbePage> {
    const query = listQuery(filter, page);
    if (query === undefined) return { items: [] };
    const { rows } = await this.pool.query<ProbeRow>(
      `SELECT id, created_at, cluster, pairs, verdicts, elapsed_ms FROM probes ${query.where} ORDER BY created_at DESC, id DESC LIMIT ${query.limit}`,
      query.args,
    );
    const items = rows.slice(0, page.limit).map(
      (r): ProbeListItem => ({ id: r.id, createdAt: r.created_at.toISOString(), cluster: r.cluster, pairs: r.pairs, verdicts: r.verdicts, elapsedMs: r.elapsed_ms }),
    );
    const last = items[items.length - 1];
    return rows.length > page.limit && last ? { items, next: { createdAt: last.createdAt, id: last.id } } : { items };
  }

  /**
   * Claims under a transaction-scoped advisory lock per cluster, so the checks (this run, a
   * later interval, a run still within its lease) and the insert are one step across replicas;
   * the primary key alone would stop two claims of one interval but not a claim of an older
   * interval by a replica whose clock lags. Times come from the database's clock, so replicas
   * with skewed clocks agree on when a lease expires.
   */
  async claimWatchRun(claim: WatchClaim): Promise<WatchClaimResult> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${WATCH_LEASE_LOCK} ${claim.cluster}`]);
      const result = await claimUnderLock(client, claim);
      await client.query('COMMIT');
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  async finishWatchRun(cluster: string, runKey: string, holder: string, outcome: WatchRunOutcome): Promise<void> {
    await this.pool.query('UPDATE watch_leases SET finished_at = clock_timestamp(), outcome = $4 WHERE cluster = $1 AND run_key = $2 AND holder = $3', [
      cluster,
      runKey,
      holder,
      outcome,
    ]);
  }

  async latestAudit(cluster: string, origins: readonly AuditOrigin[], before?: AuditCursor): Promise<AuditRecord | undefined> {
    if (origins.length === 0) return undefined;
    const args: unknown[] = [cluster, [...origins]];
    let where = 'cluster = $1 AND origin = ANY($2::text[])';
    if (before) {
      // Audit ids are UUIDs here; a key that is not one cannot be in the table, so compare by time alone.
      if (isUuid(before.id)) {
        args.push(before.createdAt, before.id);
        where += ' AND (created_at, id) < ($3::timestamptz, $4::uuid)';
      } else {
        args.push(before.createdAt);
        where += ' AND created_at < $3::timestamptz';
      }
    }
    const { rows } = await this.pool.query<Row>(
      `SELECT id, created_at, cluster, origin, report::text AS report FROM audits WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT 1`,
      args,
    );
    const row = rows[0];
    if (!row || row.report === undefined) return undefined;
    return { id: row.id, createdAt: row.created_at.toISOString(), cluster: row.cluster, origin: row.origin, report: JSON.parse(row.report) as AuditReport };
  }

  async saveChange(c: StoredChange): Promise<void> {
    await this.pool.query('INSERT INTO watch_changes (id, created_at, cluster, kind, audit_id, event) VALUES ($1, $2, $3, $4, $5, $6)', [
      c.id,
      c.at,
      c.cluster,
      c.kind,
      c.auditId,
      JSON.stringify(c),
    ]);
  }

  async listChanges(cluster: string, page: PageRequest): Promise<ChangePage> {
    const args: unknown[] = [cluster];
    let where = 'cluster = $1';
    if (page.after) {
      args.push(page.after.createdAt, page.after.id);
      where += ' AND (created_at, id) < ($2::timestamptz, $3)';
    }
    args.push(page.limit + 1);
    const { rows } = await this.pool.query<{ event: string }>(
      `SELECT event::text AS event FROM watch_changes WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT $${args.length}`,
      args,
    );
    const items = rows.slice(0, page.limit).map((r) => JSON.parse(r.event) as StoredChange);
    const last = items[items.length - 1];
    return rows.length > page.limit && last ? { items, next: { createdAt: last.at, id: last.id } } : { items };
  }

  async saveFindingsSince(state: FindingsSince): Promise<void> {
    await this.pool.query(
      'INSERT INTO watch_findings_since (cluster, audit_id, since) VALUES ($1, $2, $3) ON CONFLICT (cluster) DO UPDATE SET audit_id = EXCLUDED.audit_id, since = EXCLUDED.since',
      [state.cluster, state.auditId, JSON.stringify(state.since)],
    );
  }

  async getFindingsSince(cluster: string): Promise<FindingsSince | undefined> {
    const { rows } = await this.pool.query<{ audit_id: string; since: Record<string, string> }>('SELECT audit_id, since FROM watch_findings_since WHERE cluster = $1', [cluster]);
    const row = rows[0];
    return row && { cluster, auditId: row.audit_id, since: row.since };
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}

/** The WHERE clause and LIMIT placeholder of a listing, the same for audits and probe sweeps; undefined when no row can match. */
function listQuery(filter: AuditFilter, page: PageRequest): { where: string; args: unknown[]; limit: string } | undefined {
  const where: string[] = [];
  const args: unknown[] = [];
  const arg = (v: unknown): string => {
    args.push(v);
    return `$${args.length}`;
  };
  if (filter.cluster !== undefined) where.push(`cluster = ${arg(filter.cluster)}`);
  if (filter.since !== undefined) where.push(`created_at >= ${arg(filter.since)}`);
  if (filter.until !== undefined) where.push(`created_at < ${arg(filter.until)}`);
  if (page.after) {
    if (!isUuid(page.after.id)) return undefined;
    where.push(`(created_at, id) < (${arg(page.after.createdAt)}::timestamptz, ${arg(page.after.id)}::uuid)`);
  }
  const limit = arg(page.limit + 1);
  return { where: where.length ? `WHERE ${where.join(' AND ')}` : '', args, limit };
}

function toListItem(row: Row): AuditListItem {
  return {
    id: row.id,
    createdAt: row.created_at.toISOString(),
    cluster: row.cluster,
    origin: row.origin,
    summary: row.summary,
    findings: row.findings,
    remediations: row.remediations,
  };
}

async function claimUnderLock(client: pg.PoolClient, claim: WatchClaim): Promise<WatchClaimResult> {
  const same = await client.query<{ holder: string }>('SELECT holder FROM watch_leases WHERE cluster = $1 AND run_key = $2', [claim.cluster, claim.runKey]);
  if (same.rows[0]) return { kind: 'taken', holder: same.rows[0].holder };
  if (claim.slot !== undefined) {
    const later = await client.query<{ holder: string }>('SELECT holder FROM watch_leases WHERE cluster = $1 AND slot >= $2 LIMIT 1', [claim.cluster, claim.slot]);
    if (later.rows[0]) return { kind: 'taken', holder: later.rows[0].holder };
  }
  const running = await client.query<{ holder: string; run_key: string; expires_at: Date }>(
    'SELECT holder, run_key, expires_at FROM watch_leases WHERE cluster = $1 AND finished_at IS NULL AND expires_at > clock_timestamp() LIMIT 1',
    [claim.cluster],
  );
  const r = running.rows[0];
  if (r) return { kind: 'busy', holder: r.holder, runKey: r.run_key, expiresAt: r.expires_at.toISOString() };
  await client.query(
    `INSERT INTO watch_leases (cluster, run_key, slot, holder, claimed_at, expires_at)
     VALUES ($1, $2, $3, $4, clock_timestamp(), clock_timestamp() + $5 * interval '1 millisecond')`,
    [claim.cluster, claim.runKey, claim.slot ?? null, claim.holder, claim.leaseMs],
  );
  await client.query(
    `DELETE FROM watch_leases WHERE cluster = $1 AND run_key NOT IN
       (SELECT run_key FROM watch_leases WHERE cluster = $1 ORDER BY claimed_at DESC LIMIT $2)`,
    [claim.cluster, KEPT_LEASES_PER_CLUSTER],
  );
  return { kind: 'claimed' };
}

function isUuid(s: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}

async function migrate(pool: pg.Pool, schema: string | undefined): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [MIGRATION_LOCK]);
    // Under the lock: two servers starting together would otherwise race inside
    // CREATE SCHEMA IF NOT EXISTS and one would fail on pg_namespace's unique index.
    if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)`);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    for (const m of pendingMigrations(rows.map((r) => r.version), 'PostgreSQL database')) {
      await client.query(m.postgres);
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())', [m.version, m.name]);
    }
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}
