using Npgsql;

namespace Orchestrator.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A fresh database on the real PostgreSQL server the tests run against (started by .ci/run, or
/// scripts/postgres.sh): ORCHESTRATOR_TEST_POSTGRES, or postgres:postgres on 127.0.0.1:5432. Dropped afterwards.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    private readonly string _server;

    private PostgresDatabase(string server, string name)
    {
        _server = server;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name, Pooling = true }.ToString();
    }

    public string Name { get; }
    public string ConnectionString { get; }

    public static string Server =>
        Environment.GetEnvironmentVariable("ORCHESTRATOR_TEST_POSTGRES") is { Length: > 0 } s
            ? s
            : "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres;Database=postgres";

    public static async Task<PostgresDatabase> CreateAsync()
    {
        var name = "orch_test_" + Guid.NewGuid().ToString("N")[..12];
        try
        {
            await using var connection = new NpgsqlConnection(Server);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException e)
        {
            throw new InvalidOperationException(
                $"these tests need a PostgreSQL server ({Server}); start one with `bash scripts/postgres.sh` (as .ci/run does): {e.Message}", e);
        }

        return new PostgresDatabase(Server, name);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
