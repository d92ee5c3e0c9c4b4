using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Orchestrator.Persistence;

/// <summary>
/// The journal's tables, created before the persistence plugin first touches them, with the indexes the plugin's
/// own auto-initialisation leaves out. Without the unique (persistence_id, sequence_number) index every recovery
/// and every highest-sequence-number lookup scans the whole journal: a job's start slowed down as the journal grew
/// (60 new jobs/s after 20,000 jobs on SQLite). The index also makes the database refuse a second event with the
/// same sequence number for one job, whoever writes it.
/// The tables match, column for column, what the plugin's default table mapping creates, so its "create if not
/// exists" finds them and leaves them alone; on a journal created by an earlier version only the indexes are added.
/// <para>
/// Tags are written in the journal row (the plugin's CSV tag mode, <c>;job;</c> in the <c>tags</c> column), not in the
/// tag table: in tag-table mode the plugin inserts each tagged row as its own statement and reads its id back, and
/// reads tags back with an aggregate that linq2db turns into a scan of the whole tag table for every row it returns
/// (every recovery and every listing catch-up grew with the journal). A journal written by an earlier version gets the
/// column, filled from its tag table once; the tag table stays as it was and is no longer written.
/// </para>
/// </summary>
public static class JournalSchema
{
    /// <summary>Where the journal keeps tags: in the journal row (see above).</summary>
    public const Akka.Persistence.Sql.Config.TagMode TagMode = Akka.Persistence.Sql.Config.TagMode.Csv;

    private const string Indexes = """
        CREATE UNIQUE INDEX IF NOT EXISTS journal_persistence_id_sequence_number ON journal (persistence_id, sequence_number);
        CREATE INDEX IF NOT EXISTS tags_tag_ordering_id ON tags (tag, ordering_id);
        """;

    private const string Sqlite = """
        CREATE TABLE IF NOT EXISTS [journal]
        (
        	[ordering]        INTEGER        NOT NULL PRIMARY KEY AUTOINCREMENT,
        	[created]         INTEGER        NOT NULL,
        	[deleted]         Bit            NOT NULL,
        	[persistence_id]  NVarChar(255)  NOT NULL,
        	[sequence_number] INTEGER        NOT NULL,
        	[message]         VarBinary      NOT NULL,
        	[manifest]        NVarChar(500)      NULL,
        	[identifier]      INTEGER            NULL,
        	[writer_uuid]     NVarChar(128)      NULL,
        	[tags]            NVarChar(100)      NULL
        );
        CREATE TABLE IF NOT EXISTS [snapshot]
        (
        	[persistence_id]  NVarChar(255) NOT NULL,
        	[sequence_number] INTEGER       NOT NULL,
        	[created]         INTEGER       NOT NULL,
        	[snapshot]        VarBinary         NULL,
        	[manifest]        NVarChar(500)     NULL,
        	[serializer_id]   INTEGER           NULL,

        	CONSTRAINT [PK_snapshot] PRIMARY KEY ([persistence_id], [sequence_number])
        );
        CREATE TABLE IF NOT EXISTS [tags]
        (
        	[ordering_id]    INTEGER       NOT NULL,
        	[tag]            NVarChar(64)  NOT NULL,
        	[sequence_nr]    INTEGER       NOT NULL,
        	[persistence_id] NVarChar(255) NOT NULL,

        	CONSTRAINT [PK_tags] PRIMARY KEY ([ordering_id], [tag])
        );
        """ + Indexes;

    private const string Postgres = """
        SELECT pg_advisory_xact_lock(7305114);
        CREATE TABLE IF NOT EXISTS journal (
            ordering bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT "PK_journal" PRIMARY KEY,
            created bigint NOT NULL,
            deleted boolean NOT NULL,
            persistence_id text NOT NULL,
            sequence_number bigint NOT NULL,
            message bytea NOT NULL,
            manifest text,
            identifier integer,
            writer_uuid text,
            tags text
        );
        CREATE TABLE IF NOT EXISTS snapshot (
            persistence_id text NOT NULL,
            sequence_number bigint NOT NULL,
            created bigint NOT NULL,
            snapshot bytea,
            manifest text,
            serializer_id integer,
            CONSTRAINT "PK_snapshot" PRIMARY KEY (persistence_id, sequence_number)
        );
        CREATE TABLE IF NOT EXISTS tags (
            ordering_id bigint NOT NULL,
            tag text NOT NULL,
            sequence_nr bigint NOT NULL,
            persistence_id text NOT NULL,
            CONSTRAINT "PK_tags" PRIMARY KEY (ordering_id, tag)
        );
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                           WHERE table_schema = current_schema() AND table_name = 'journal' AND column_name = 'tags') THEN
                ALTER TABLE journal ADD COLUMN tags text;
                UPDATE journal j SET tags = ';' || t.tags || ';'
                FROM (SELECT ordering_id, string_agg(tag, ';' ORDER BY tag) AS tags FROM tags GROUP BY ordering_id) t
                WHERE j.ordering = t.ordering_id;
            END IF;
        END $$;
        """ + Indexes;

    // A journal created before tags moved into the journal row: the column, filled from the tag table once.
    private const string SqliteTagColumn = """
        ALTER TABLE journal ADD COLUMN [tags] NVarChar(100) NULL;
        UPDATE journal SET tags = ';' || (SELECT group_concat(tag, ';') FROM tags WHERE tags.ordering_id = journal.ordering) || ';'
        WHERE ordering IN (SELECT ordering_id FROM tags);
        """;

    public static void EnsureSqlite(SqliteConnection connection)
    {
        Execute(connection, Sqlite);
        using var probe = connection.CreateCommand();
        probe.CommandText = "SELECT COUNT(*) FROM pragma_table_info('journal') WHERE name = 'tags'";
        if (Convert.ToInt64(probe.ExecuteScalar()) == 0) Execute(connection, SqliteTagColumn);
    }

    /// <summary>
    /// Several nodes may start at once against one database: an advisory lock held for the transaction makes them
    /// take turns, so none fails on another's half-created table.
    /// </summary>
    public static async Task EnsurePostgresAsync(string connectionString, CancellationToken cancel = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancel);
        await using var transaction = await connection.BeginTransactionAsync(cancel);
        await using var command = new NpgsqlCommand(Postgres, connection, transaction);
        await command.ExecuteNonQueryAsync(cancel);
        await transaction.CommitAsync(cancel);
    }

    private static void Execute(DbConnection connection, string sql)
    {
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
        transaction.Commit();
    }
}
