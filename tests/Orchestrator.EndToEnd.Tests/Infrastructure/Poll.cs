namespace Orchestrator.EndToEnd.Tests.Infrastructure;

/// <summary>Waits for a condition on real processes: retries an assertion until it holds or the time is up.</summary>
public static class Poll
{
    public static async Task UntilAsync(Func<Task> assertion, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            try
            {
                await assertion();
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(250);
            }
        }
    }
}
