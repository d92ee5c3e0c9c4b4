using Orchestrator.EndToEnd.Tests.Infrastructure;
using Orchestrator.Hosting;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>The split-brain resolver's tie-break lease: its row in a real PostgreSQL database, and who may ask for it.</summary>
public class TieBreakLeaseTests
{
    [Fact]
    public async Task One_member_holds_the_lease_until_it_releases_it_or_stops_renewing_it()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        var lower = new LeaseRow(database.ConnectionString, "orchestrator-akka-sbr", "127.0.0.1:4101", TimeSpan.FromSeconds(3));
        var higher = new LeaseRow(database.ConnectionString, "orchestrator-akka-sbr", "127.0.0.1:4102", TimeSpan.FromSeconds(3));
        var ttl = TimeSpan.FromSeconds(2);

        Assert.True(await lower.TryTakeAsync(ttl));
        Assert.False(await higher.TryTakeAsync(ttl));
        Assert.True(await lower.TryTakeAsync(ttl)); // renewed by its holder

        // The other member's release leaves the holder's row alone; the holder's own frees it.
        await higher.ReleaseAsync();
        Assert.False(await higher.TryTakeAsync(ttl));
        await lower.ReleaseAsync();
        Assert.True(await higher.TryTakeAsync(ttl));

        // A holder that stops renewing (it crashed) loses the lease once its time is up, by the database's clock.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var taken = false;
        while (!taken && DateTime.UtcNow < deadline)
        {
            taken = await lower.TryTakeAsync(ttl);
            if (!taken) await Task.Delay(250);
        }

        Assert.True(taken, "the lease of a holder that stopped renewing never expired");
        Assert.False(await higher.TryTakeAsync(ttl));
    }

    [Fact]
    public async Task A_database_that_does_not_answer_is_an_error_not_a_lease()
    {
        var nowhere = new LeaseRow($"Host=127.0.0.1;Port={NodeProcess.FreePort()};Username=postgres;Password=postgres;Database=none", "l", "me", TimeSpan.FromSeconds(1));
        await Assert.ThrowsAnyAsync<Npgsql.NpgsqlException>(() => nowhere.TryTakeAsync(TimeSpan.FromSeconds(5)));
    }

    [Theory]
    [InlineData(2, 3, "Majority")]
    [InlineData(3, 3, "Majority")]
    [InlineData(1, 2, "Even")]
    [InlineData(2, 4, "Even")]
    [InlineData(1, 3, "Minority")]
    [InlineData(2, 5, "Minority")]
    public void Only_an_even_split_depends_on_the_database(int reachable, int all, string side) =>
        Assert.Equal(side, TieBreakLease.Decide(reachable, all).ToString());
}
