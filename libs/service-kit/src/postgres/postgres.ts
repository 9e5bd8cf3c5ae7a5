import { Pool, type PoolClient } from 'pg';
import type pino from 'pino';
import type { ReadinessCheck } from '../health/readiness';

export interface Migration {
  /** Sortable, unique and never changed once released, e.g. `001-usage-ledger`. */
  readonly id: string;
  readonly sql: string;
}

export function createPool(connectionString: string, applicationName: string, max = 10): Pool {
  return new Pool({
    connectionString,
    application_name: applicationName,
    max,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
  });
}

/**
 * Applies the migrations of one service's schema in order, once each. Replicas starting
 * together serialise on an advisory lock, so each migration runs exactly once.
 */
export async function runMigrations(
  pool: Pool,
  schema: string,
  migrations: readonly Migration[],
  logger: pino.Logger,
): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name: ${schema}`);
  await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`shoshizan-migrations:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (
         id text PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const { rows } = await client.query<{ id: string }>(`SELECT id FROM ${schema}.schema_migrations`);
    const applied = new Set(rows.map((r) => r.id));
    for (const migration of [...migrations].sort((a, b) => a.id.localeCompare(b.id))) {
      if (applied.has(migration.id)) continue;
      await client.query(`SET LOCAL search_path TO ${schema}`);
      await client.query(migration.sql);
      await client.query(`INSERT INTO ${schema}.schema_migrations (id) VALUES ($1)`, [migration.id]);
      logger.info({ schema, migration: migration.id }, 'Applied migration');
    }
  });
}

/**
 * Runs `work` in a transaction on one pooled connection: committed if it resolves, rolled
 * back if it throws (the error goes on), the connection always given back.
 */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Ready when the database answers a query. */
export class PostgresReadiness implements ReadinessCheck {
  readonly name = 'postgres';
  constructor(private readonly pool: Pool) {}

  async check(): Promise<void> {
    await this.pool.query('SELECT 1');
  }
}
