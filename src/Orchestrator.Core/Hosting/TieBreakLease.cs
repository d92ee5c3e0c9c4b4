using Akka.Actor;
using Akka.Cluster;
using Akka.Coordination;
using Akka.Event;
using Npgsql;

namespace Orchestrator.Hosting;

/// <summary>
/// The split-brain resolver's lease (strategy <c>lease-majority</c>) on a cluster whose journal is PostgreSQL: the
/// shared database breaks the tie when the members hosting jobs split evenly — above all two members, one of which
/// crashed: keep-majority would keep the side with the lowest address, so a crash of that member downed the
/// survivor too. With the lease the side that can still reach the database keeps the cluster, whichever it is.
/// </summary>
/// <remarks>
/// Only an even split asks the database. A strict majority keeps the cluster as under keep-majority, even when the
/// database does not answer (a crash during a database outage must not down the survivors), and a strict minority
/// never takes the lease (so it cannot win it while a majority that skipped the database keeps the cluster). The
/// lease is a row of <c>orchestrator_lease</c> held until its holder stops renewing it (<c>heartbeat-timeout</c>).
/// </remarks>
public sealed class TieBreakLease : Lease
{
    private readonly ExtendedActorSystem _system;
    private readonly ILoggingAdapter _log;
    private volatile bool _held;
    private DateTime _renewedAt;
    private CancellationTokenSource? _heartbeat;

    public TieBreakLease(LeaseSettings settings, ExtendedActorSystem system) : base(settings)
    {
        _system = system;
        _log = Logging.GetLogger(system, nameof(TieBreakLease));
    }

    public override Task<bool> Acquire() => Acquire(_ => { });

    public override async Task<bool> Acquire(Action<Exception> leaseLostCallback)
    {
        var side = Side();
        if (side == SideOfSplit.Minority)
        {
            _log.Info("lease {0}: not taken, this side is a minority of the members hosting jobs", Settings.LeaseName);
            return false;
        }

        try
        {
            if (!await TryTakeAsync()) return side == SideOfSplit.Majority;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            _log.Warning("lease {0}: the database did not answer ({1}); {2}", Settings.LeaseName, e.Message,
                side == SideOfSplit.Majority ? "this side is a majority and keeps the cluster anyway" : "an even split without it downs this side");
            return side == SideOfSplit.Majority;
        }

        StartHeartbeat(leaseLostCallback);
        return true;
    }

    public override async Task<bool> Release()
    {
        _held = false;
        _heartbeat?.Cancel();
        try
        {
            await Row().ReleaseAsync();
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            _log.Warning("lease {0}: could not release it ({1}); it expires by itself", Settings.LeaseName, e.Message);
        }

        return true;
    }

    public override bool CheckLease() => _held && DateTime.UtcNow - _renewedAt < Settings.TimeoutSettings.HeartbeatTimeout;

    internal enum SideOfSplit { Majority, Even, Minority }

    /// <summary>This member's side as the resolver sees it: reachable members hosting jobs against all of them.</summary>
    private SideOfSplit Side()
    {
        var (hosts, unreachable) = JobHosts.Of(Cluster.Get(_system).State, OrchestratorNode.Get(_system).JobsRole);
        var reachable = hosts.Length - unreachable.Length;
        return Decide(reachable, hosts.Length);
    }

    internal static SideOfSplit Decide(int reachable, int all) =>
        reachable * 2 > all ? SideOfSplit.Majority : reachable * 2 == all ? SideOfSplit.Even : SideOfSplit.Minority;

    /// <summary>Takes (or renews) the row; remembers whether this member holds it.</summary>
    private async Task<bool> TryTakeAsync()
    {
        var taken = await Row().TryTakeAsync(Settings.TimeoutSettings.HeartbeatTimeout);
        if (taken) _renewedAt = DateTime.UtcNow;
        _held = taken;
        _log.Info("lease {0}: {1} by {2}", Settings.LeaseName, taken ? "taken" : "held by another member", Settings.OwnerName);
        return taken;
    }

    private void StartHeartbeat(Action<Exception> leaseLost)
    {
        _heartbeat?.Cancel();
        var stop = _heartbeat = new CancellationTokenSource();
        _ = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested && _held)
            {
                await Task.Delay(Settings.TimeoutSettings.HeartbeatInterval, stop.Token).ContinueWith(_ => { });
                if (stop.IsCancellationRequested || !_held) return;
                try
                {
                    if (await TryTakeAsync()) continue;
                    leaseLost(new LeaseException($"lease {Settings.LeaseName} was taken by another member"));
                    return;
                }
                catch (Exception e) when (e is NpgsqlException or TimeoutException or OperationCanceledException)
                {
                    if (CheckLease()) continue;
                    _held = false;
                    leaseLost(new LeaseException($"lease {Settings.LeaseName} could not be renewed: {e.Message}"));
                    return;
                }
            }
        });
    }

    private LeaseRow Row() => new(OrchestratorNode.Get(_system).Persistence.Target, Settings.LeaseName, Settings.OwnerName,
        Settings.TimeoutSettings.OperationTimeout);
}

/// <summary>
/// One lease as a row of <c>orchestrator_lease</c> in PostgreSQL: whoever holds an unexpired row holds the lease; the
/// database's clock alone judges expiry, so members' clocks need not agree.
/// </summary>
internal sealed class LeaseRow(string connectionString, string name, string owner, TimeSpan operationTimeout)
{
    /// <summary>Takes the lease, or renews it, for <paramref name="ttl"/>: true when it is free, expired, or this owner's already.</summary>
    public async Task<bool> TryTakeAsync(TimeSpan ttl)
    {
        await using var connection = await OpenAsync();
        await using var take = new NpgsqlCommand("""
            CREATE TABLE IF NOT EXISTS orchestrator_lease (name text PRIMARY KEY, owner text NOT NULL, expires_at timestamptz NOT NULL);
            INSERT INTO orchestrator_lease (name, owner, expires_at) VALUES (@name, @owner, now() + @ttl)
            ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
              WHERE orchestrator_lease.owner = excluded.owner OR orchestrator_lease.expires_at < now()
            RETURNING owner;
            """, connection);
        take.Parameters.AddWithValue("name", name);
        take.Parameters.AddWithValue("owner", owner);
        take.Parameters.AddWithValue("ttl", ttl);
        return await take.ExecuteScalarAsync() is string;
    }

    /// <summary>Gives the lease up, if this owner holds it (another's row is left alone).</summary>
    public async Task ReleaseAsync()
    {
        await using var connection = await OpenAsync();
        await using var delete = new NpgsqlCommand("DELETE FROM orchestrator_lease WHERE name = @name AND owner = @owner", connection);
        delete.Parameters.AddWithValue("name", name);
        delete.Parameters.AddWithValue("owner", owner);
        await delete.ExecuteNonQueryAsync();
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Timeout = Math.Max(1, (int)Math.Ceiling(operationTimeout.TotalSeconds)) };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }
}
