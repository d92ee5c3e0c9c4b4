using System.Security.Cryptography;

namespace Orchestrator.Trust;

/// <summary>An unpredictable, never-repeated value a request carries and its signed answer is bound to.</summary>
public static class Nonce
{
    public static string New() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
