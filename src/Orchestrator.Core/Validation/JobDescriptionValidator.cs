using Orchestrator.Protocol.Model;

namespace Orchestrator.Validation;

/// <summary>
/// Checks a job description's values (its shape is the JSON reader's job). Used for HTTP and actor-message
/// posts alike, so nothing invalid is ever persisted whichever door it came through.
/// </summary>
public static class JobDescriptionValidator
{
    /// <param name="job">The description as posted.</param>
    /// <param name="nodeDefault">The orchestration type of a job that names none (the node's <c>defaultOrchestrationType</c>).</param>
    /// <param name="inlineModuleLimit">The most bytes an inline module may hold, decoded (orchestrator.execution.inlineModuleLimit).</param>
    public static ValidationErrors Validate(JobDescription? job, OrchestrationType nodeDefault = OrchestrationType.Pull,
        long inlineModuleLimit = ExecutionValidator.DefaultInlineModuleLimit)
    {
        var errors = new ValidationErrors();
        if (job is null)
        {
            errors.Add("", "a job description is required");
            return errors;
        }

        // Conditions use no pattern variables: mutation testing cannot mutate a condition that declares a variable.
        var idError = job.JobId is null ? null : Limits.CheckId(job.JobId);
        if (idError is not null) errors.Add("jobId", idError);
        if (job.OrchestrationType is not null && !Enum.IsDefined(job.OrchestrationType.Value))
            errors.Add("orchestrationType", "must be one of pull, push");
        // Lists are never null here: the model turns a null list into an empty one as it is set.
        var targets = job.TargetProviders;
        var push = (job.OrchestrationType ?? nodeDefault) == OrchestrationType.Push;
        if (push && targets.Count == 0)
            errors.Add("targetProviders", job.OrchestrationType is null
                ? "this node defaults to push orchestration: name the target providers, or set orchestrationType to pull"
                : "push orchestration needs at least one target provider (see GET /orchestrator/providers)");
        if (!push && targets.Count > 0)
            errors.Add("targetProviders", job.OrchestrationType is null
                ? "is only for push orchestration, and this node defaults to pull; set orchestrationType to push or leave the targets out"
                : "is only for push orchestration; set orchestrationType to push or leave the targets out");
        if (targets.Count > Limits.MaxTargets)
            errors.Add("targetProviders", $"must list at most {Limits.MaxTargets} providers, listed {targets.Count}");
        for (var i = 0; i < targets.Count && i < Limits.MaxTargets; i++)
        {
            var targetError = targets[i] is null ? "must be a string, not null" : Limits.CheckId(targets[i]);
            if (targetError is not null) errors.Add($"targetProviders[{i}]", targetError);
        }

        if (targets.Distinct().Count() != targets.Count) errors.Add("targetProviders", "lists a provider more than once");
        if (job.Selection is not null && !Enum.IsDefined(job.Selection.Value))
            errors.Add("selection", "must be one of score, lowest-price, earliest-bid");
        // A comparison with an absent value is false: an absent deadline is not out of range.
        if (job.DeadlineSeconds < 1 || job.DeadlineSeconds > Limits.MaxDeadlineSeconds)
            errors.Add("deadlineSeconds", $"must be between 1 and {Limits.MaxDeadlineSeconds}, was {job.DeadlineSeconds}");

        if (job.Requirements is null)
        {
            errors.Add("requirements", "is required");
            return errors;
        }

        ValidateRequirements(job.Requirements, errors);
        PreferenceValidator.Validate(job.Preferences, errors);
        if (job.Execution is not null) ExecutionValidator.Validate(job.Execution, job.Requirements, inlineModuleLimit, errors);
        return errors;
    }

    private static void ValidateRequirements(JobRequirements req, ValidationErrors errors)
    {
        const string at = "requirements";
        if (req.Resources is null) errors.Add($"{at}.resources", "is required");
        else ValidateResources(req.Resources, $"{at}.resources", errors);

        for (var i = 0; i < req.Executors.Count; i++)
            if (!Enum.IsDefined(req.Executors[i]))
                errors.Add($"{at}.executors[{i}]", "must be one of docker, firecracker, wasm, simulated");

        ValidateLocalities(req.Localities, $"{at}.localities", errors);

        if (req.MaxPricePerHour < 0 || req.MaxPricePerHour > Limits.MaxPricePerHour)
            errors.Add($"{at}.maxPricePerHour", $"must be between 0 and {Limits.MaxPricePerHour}, was {req.MaxPricePerHour}");
        if (req.DurationMinutes < 1 || req.DurationMinutes > Limits.MaxDurationMinutes)
            errors.Add($"{at}.durationMinutes", $"must be between 1 and {Limits.MaxDurationMinutes}, was {req.DurationMinutes}");
        if (req.MaxTotalBudget < 0 || req.MaxTotalBudget > Limits.MaxPricePerHour * 24 * 366)
            errors.Add($"{at}.maxTotalBudget", $"must be between 0 and {Limits.MaxPricePerHour * 24 * 366}, was {req.MaxTotalBudget}");
        if (req.Currency is not null) CheckCurrency(errors, $"{at}.currency", req.Currency);
        if (req.JobType is not null && !Enum.IsDefined(req.JobType.Value))
            errors.Add($"{at}.jobType", "must be one of batch, single_run, recurring, long_running");

        ValidateList(req.Libraries, $"{at}.libraries", errors, (lib, path) => ValidateLibrary(lib, path, errors));
        ValidateList(req.Storage, $"{at}.storage", errors, (storage, path) =>
        {
            RequiredName(errors, $"{path}.kind", storage.Kind);
            Range(errors, $"{path}.sizeGb", storage.SizeGb, 0, Limits.MaxDiskGb);
        });
        var net = req.Connectivity;
        if (net is not null)
        {
            var ports = net.Ports;
            if (ports.Count > Limits.MaxListLength) errors.Add($"{at}.connectivity.ports", $"must list at most {Limits.MaxListLength} ports");
            for (var i = 0; i < ports.Count && i < Limits.MaxListLength; i++)
                Range(errors, $"{at}.connectivity.ports[{i}]", ports[i], 1, 65535);
        }

        ValidateList(req.Labels, $"{at}.labels", errors, (label, path) => ValidateLabel(label, path, errors));
    }

    internal static void ValidateLibrary(LibraryRequirement lib, string path, ValidationErrors errors)
    {
        RequiredName(errors, $"{path}.name", lib.Name);
        var valid = Matching.VersionConstraint.TryParse(lib.Constraint, out _, out var versionError);
        if (!valid)
            errors.Add($"{path}.constraint", versionError + " (use e.g. >=12.0, ~> 1.2, ^2.1, 1.2 - 2.0)");
    }

    internal static void ValidateLabel(LabelConstraint label, string path, ValidationErrors errors)
    {
        RequiredName(errors, $"{path}.key", label.Key);
        if (!Enum.IsDefined(label.Op)) errors.Add($"{path}.op", "must be one of =, !=, in, not in, exists, <, <=, >, >=");
        for (var i = 0; i < label.Values.Count; i++)
            if (label.Values[i] is null) errors.Add($"{path}.values[{i}]", "must be a string, not null");
        switch (label.Op)
        {
            case LabelOperator.In or LabelOperator.NotIn when label.Values.Count == 0:
                errors.Add($"{path}.values", $"'{Matching.LabelMatcher.OpText(label.Op)}' needs a non-empty list of values");
                break;
            case LabelOperator.Equals or LabelOperator.NotEquals when label.Value is null:
                errors.Add($"{path}.value", $"'{Matching.LabelMatcher.OpText(label.Op)}' needs a value");
                break;
            case LabelOperator.LessThan or LabelOperator.LessThanOrEqual or LabelOperator.GreaterThan or LabelOperator.GreaterThanOrEqual
                when !Matching.LabelMatcher.IsNumber(label.Value):
                errors.Add($"{path}.value", $"'{Matching.LabelMatcher.OpText(label.Op)}' compares numbers; value must be a number");
                break;
        }
    }

    internal static void ValidateList<T>(IReadOnlyList<T> items, string at, ValidationErrors errors, Action<T, string> validate)
    {
        if (items.Count > Limits.MaxListLength) errors.Add(at, $"must list at most {Limits.MaxListLength} items, listed {items.Count}");
        for (var i = 0; i < items.Count && i < Limits.MaxListLength; i++)
        {
            if (items[i] is null) errors.Add($"{at}[{i}]", "must be an object");
            else validate(items[i], $"{at}[{i}]");
        }
    }

    private static void CheckCurrency(ValidationErrors errors, string field, string currency)
    {
        if (currency.Length is < 2 or > 8 || !currency.All(char.IsAsciiLetterUpper))
            errors.Add(field, "must be a currency code of 2–8 capital letters, e.g. USD, EUR, NTX");
    }

    private static void ValidateResources(ResourceRequirements r, string at, ValidationErrors errors)
    {
        Range(errors, $"{at}.cpuCores", r.CpuCores, 1, Limits.MaxCpuCores);
        Range(errors, $"{at}.ramMb", r.RamMb, 1, Limits.MaxRamMb);
        Range(errors, $"{at}.diskGb", r.DiskGb, 0, Limits.MaxDiskGb);
        if (r.CpuClockMhz is not null) Range(errors, $"{at}.cpuClockMhz", r.CpuClockMhz.Value, 1, Limits.MaxClockMhz);
        if (r.Architecture is not null) RequiredName(errors, $"{at}.architecture", r.Architecture);
        if (r.DiskType is not null) RequiredName(errors, $"{at}.diskType", r.DiskType);
        if (r.Gpus.Count > Limits.MaxGpus) errors.Add($"{at}.gpus", $"must list at most {Limits.MaxGpus} GPUs, listed {r.Gpus.Count}");
        for (var i = 0; i < r.Gpus.Count && i < Limits.MaxGpus; i++)
        {
            var gpu = r.Gpus[i];
            if (gpu is null)
            {
                errors.Add($"{at}.gpus[{i}]", "must be an object");
                continue;
            }

            OptionalName(errors, $"{at}.gpus[{i}].vendor", gpu.Vendor);
            OptionalName(errors, $"{at}.gpus[{i}].model", gpu.Model);
            if (gpu.VramMb is not null) Range(errors, $"{at}.gpus[{i}].vramMb", gpu.VramMb.Value, 1, Limits.MaxVramMb);
        }
    }

    /// <summary>The kinds of place a locality names (what providers declare and jobs ask for).</summary>
    public static readonly string[] LocalityKinds = ["continent", "country", "region", "city"];

    internal static void ValidateLocalities(IReadOnlyList<Locality> localities, string at, ValidationErrors errors)
    {
        if (localities.Count > Limits.MaxLocalities)
            errors.Add(at, $"must list at most {Limits.MaxLocalities} localities, listed {localities.Count}");
        for (var i = 0; i < localities.Count && i < Limits.MaxLocalities; i++)
        {
            // A plain null check rather than a pattern variable: mutation testing can mutate this condition without
            // leaving the variable unassigned (which would cost the whole method its mutants).
            var place = localities[i];
            if (place is null)
            {
                errors.Add($"{at}[{i}]", "must be an object with kind and name");
                continue;
            }

            RequiredName(errors, $"{at}[{i}].kind", place.Kind);
            if (!string.IsNullOrEmpty(place.Kind) && !LocalityKinds.Contains(place.Kind, StringComparer.OrdinalIgnoreCase))
                errors.Add($"{at}[{i}].kind", $"'{place.Kind}' is not one of {string.Join(", ", LocalityKinds)}");
            RequiredName(errors, $"{at}[{i}].name", place.Name);
        }
    }

    internal static void Range(ValidationErrors errors, string field, long value, long min, long max)
    {
        if (value < min || value > max) errors.Add(field, $"must be between {min} and {max}, was {value}");
    }

    internal static void RequiredName(ValidationErrors errors, string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) errors.Add(field, "is required and must not be blank");
        else if (value.Length > Limits.MaxNameLength) errors.Add(field, $"must be at most {Limits.MaxNameLength} characters");
    }

    private static void OptionalName(ValidationErrors errors, string field, string? value)
    {
        if (value is null) return;
        RequiredName(errors, field, value);
    }
}
