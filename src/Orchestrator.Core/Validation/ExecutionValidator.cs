using Orchestrator.Execution;
using Orchestrator.Protocol.Model;

namespace Orchestrator.Validation;

/// <summary>Checks a job's execution part: what to run, with what, and within which bounds.</summary>
public static class ExecutionValidator
{
    public const long DefaultInlineModuleLimit = 1 << 20;
    public const int MaxArgs = 256;
    public const int MaxArgLength = 4096;
    public const int MaxEnv = 256;
    public const int MaxEnvValueLength = 4096;
    public const int MaxStdinBytes = 1 << 20;
    public const int MaxOutputs = 64;
    public const int MaxOutputNameLength = 255;

    public static void Validate(JobExecution execution, JobRequirements requirements, long inlineModuleLimit, ValidationErrors errors)
    {
        const string at = "execution";
        if (!Enum.IsDefined(execution.Executor))
        {
            errors.Add($"{at}.executor", "must be one of docker, firecracker, wasm, simulated");
            return;
        }

        var executors = requirements.Executors;
        if (executors.Count > 0 && !executors.Contains(execution.Executor))
            errors.Add($"{at}.executor", $"is {Name(execution.Executor)}, which requirements.executors does not list (it lists {string.Join(", ", executors.Select(Name))})");

        var module = Module(execution.Module, inlineModuleLimit, errors);
        var sha = execution.ModuleSha256;
        if (sha is not null && !ModuleStore.IsHash(sha))
            errors.Add($"{at}.moduleSha256", "must be a sha256 as POST /orchestrator/modules answers it: 64 lowercase hex digits");
        if (sha is not null && execution.Module is not null)
            errors.Add($"{at}.moduleSha256", "must be absent when execution.module carries the module inline (one or the other)");
        if (execution.Executor == ExecutorType.Wasm)
        {
            if (execution.Module is null && sha is null)
                errors.Add($"{at}.module", "is required for a wasm job: the WebAssembly module's bytes, base64 (or execution.moduleSha256 of an uploaded one)");
            else if (module is not null)
            {
                var invalid = WasmExecutor.Invalid(module);
                if (invalid is not null) errors.Add($"{at}.module", invalid);
            }
        }

        if (execution.Executor == ExecutorType.Simulated)
        {
            if (execution.Module is not null || sha is not null)
                errors.Add($"{at}.module", "must be absent for the simulated executor (its args say what it does)");
            var invalid = SimulatedExecutor.Invalid(execution.Args);
            if (invalid is not null) errors.Add($"{at}.{invalid[..invalid.IndexOf(':')]}", invalid[(invalid.IndexOf(':') + 2)..]);
        }

        ValidateArgs(execution.Args, errors);
        ValidateEnv(execution.Env, errors);
        if (execution.Stdin is not null && System.Text.Encoding.UTF8.GetByteCount(execution.Stdin) > MaxStdinBytes)
            errors.Add($"{at}.stdin", $"must be at most {MaxStdinBytes} bytes (UTF-8), was {System.Text.Encoding.UTF8.GetByteCount(execution.Stdin)}");
        ValidateOutputs(execution.Outputs, errors);

        var durationSeconds = (long?)requirements.DurationMinutes * 60;
        if (execution.TimeoutSeconds < 1 || execution.TimeoutSeconds > (durationSeconds ?? (long)Limits.MaxDurationMinutes * 60))
            errors.Add($"{at}.timeoutSeconds", durationSeconds is null
                ? $"must be between 1 and {(long)Limits.MaxDurationMinutes * 60}, was {execution.TimeoutSeconds}"
                : $"must be between 1 and the contract's duration ({durationSeconds} s, requirements.durationMinutes), was {execution.TimeoutSeconds}");

        var restart = execution.Restart;
        if (restart is not null)
        {
            if (!Enum.IsDefined(restart.Mode)) errors.Add($"{at}.restart.mode", "must be one of never, on-failure");
            if (restart.MaxAttempts < 1 || restart.MaxAttempts > 100)
                errors.Add($"{at}.restart.maxAttempts", $"must be between 1 and 100, was {restart.MaxAttempts}");
        }
    }

    /// <summary>The inline module's bytes; null (with the error said) when absent, not base64, or too large.</summary>
    private static byte[]? Module(string? base64, long limit, ValidationErrors errors)
    {
        if (base64 is null) return null;
        // Checked before decoding: a huge string is refused without allocating its bytes.
        if ((long)base64.Length * 3 / 4 > limit + 2)
        {
            errors.Add("execution.module", $"must be at most {limit} bytes decoded (about {limit * 4 / 3} characters of base64), was about {(long)base64.Length * 3 / 4}");
            return null;
        }

        var bytes = new byte[base64.Length * 3 / 4 + 3];
        if (!Convert.TryFromBase64String(base64, bytes, out var written))
        {
            errors.Add("execution.module", "is not base64");
            return null;
        }

        if (written > limit)
        {
            errors.Add("execution.module", $"must be at most {limit} bytes decoded, was {written}");
            return null;
        }

        return bytes[..written];
    }

    private static void ValidateArgs(IReadOnlyList<string> args, ValidationErrors errors)
    {
        if (args.Count > MaxArgs) errors.Add("execution.args", $"must list at most {MaxArgs} arguments, listed {args.Count}");
        for (var i = 0; i < args.Count && i < MaxArgs; i++)
        {
            if (args[i] is null) errors.Add($"execution.args[{i}]", "must not be null");
            else if (args[i].Length > MaxArgLength) errors.Add($"execution.args[{i}]", $"must be at most {MaxArgLength} characters, was {args[i].Length}");
            else if (args[i].Contains('\0')) errors.Add($"execution.args[{i}]", "must not contain a NUL character");
        }
    }

    private static void ValidateEnv(IReadOnlyDictionary<string, string> env, ValidationErrors errors)
    {
        if (env.Count > MaxEnv) errors.Add("execution.env", $"must hold at most {MaxEnv} variables, held {env.Count}");
        foreach (var (name, value) in env.Take(MaxEnv))
        {
            if (name.Length == 0 || name.Length > Limits.MaxNameLength * 4 || name.Any(ch => ch is '=' or '\0'))
                errors.Add("execution.env", $"'{Shorten(name)}' is not a variable name (1 to {Limits.MaxNameLength * 4} characters, no = or NUL)");
            else if (value is null) errors.Add($"execution.env.{name}", "must not be null (an empty string sets it empty)");
            else if (value.Length > MaxEnvValueLength) errors.Add($"execution.env.{name}", $"must be at most {MaxEnvValueLength} characters, was {value.Length}");
            else if (value.Contains('\0')) errors.Add($"execution.env.{name}", "must not contain a NUL character");
        }
    }

    private static void ValidateOutputs(IReadOnlyList<string> outputs, ValidationErrors errors)
    {
        if (outputs.Count > MaxOutputs) errors.Add("execution.outputs", $"must list at most {MaxOutputs} files, listed {outputs.Count}");
        for (var i = 0; i < outputs.Count && i < MaxOutputs; i++)
        {
            var name = outputs[i];
            if (string.IsNullOrEmpty(name) || name.Length > MaxOutputNameLength || name is "." or ".." ||
                name.IndexOfAny(['/', '\\', '\0']) >= 0)
                errors.Add($"execution.outputs[{i}]", $"must be a file name in the scratch folder (1 to {MaxOutputNameLength} characters, no / or \\, not . or ..)");
        }

        if (outputs.Distinct(StringComparer.Ordinal).Count() != outputs.Count) errors.Add("execution.outputs", "lists a file more than once");
    }

    private static string Name(ExecutorType type) => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(type.ToString());

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
