using Microsoft.Data.Sqlite;
using Npgsql;
using Orchestrator.Hosting;

namespace Orchestrator.Api;

/// <summary>
/// Whether the journal's database answers a query right now: part of readiness, since a node that cannot write
/// its journal accepts no job.
/// </summary>
public static class JournalHealth
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    /// <summary>Null when the database answered; otherwise what went wrong.</summary>
    public static async Task<string?> ProblemAsync(PersistenceChoice persistence, CancellationToken ct)
    {
        // The host's own persistence set-up: the host knows how to check it.
        if (persistence.IsHostConfigured) return null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        try
        {
            if (persistence.IsPostgres)
            {
                var builder = new NpgsqlConnectionStringBuilder(persistence.Target) { Timeout = (int)Timeout.TotalSeconds, Pooling = false };
                await using var connection = new NpgsqlConnection(builder.ToString());
                await connection.OpenAsync(timeout.Token);
                await using var command = new NpgsqlCommand("SELECT 1", connection);
                await command.ExecuteScalarAsync(timeout.Token);
            }
            else
            {
                await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = persistence.Target, Mode = SqliteOpenMode.ReadOnly }.ToString());
                await connection.OpenAsync(timeout.Token);
                await using var command = connection.CreateCommand();
                command.CommandText = "SELECT count(*) FROM sqlite_master";
                await command.ExecuteScalarAsync(timeout.Token);
            }

            return null;
        }
        catch (Exception e) when (e is NpgsqlException or SqliteException or OperationCanceledException or InvalidOperationException or TimeoutException)
        {
            return $"the journal's database did not answer: {e.Message}";
        }
    }
}
