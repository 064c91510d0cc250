/**
 * The one shape of SQL access Parley needs. `pg.Pool` and PGlite both satisfy it, so every
 * PostgreSQL-backed store runs unchanged on a server or on the embedded database.
 */
export interface SqlClient {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
}
