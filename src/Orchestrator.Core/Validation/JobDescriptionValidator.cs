using Orchestrator.Protocol.Model;

namespace Orchestrator.Validation;

/// <summary>
/// Checks a job description's values (its shape is the JSON reader's job). Used for HTTP and actor-message
/// posts alike, so nothing invalid is ever persisted whichever door it came through.
/// </summary>
public static class JobDescriptionValidator
{
    public static ValidationErrors Validate(JobDescription? job)
    {
        var errors = new ValidationErrors();
        if (job is null)
        {
            errors.Add("", "a job description is required");
            return errors;
        }

        if (job.JobId is not null && Limits.CheckId(job.JobId) is { } idError) errors.Add("jobId", idError);
        if (job.OrchestrationType is { } type && !Enum.IsDefined(type))
            errors.Add("orchestrationType", "must be one of pull, push");
        if (job.OrchestrationType == OrchestrationType.Push)
            errors.Add("orchestrationType",
                "push orchestration needs targetProviders, which this node does not accept yet; use pull");

        if (job.Requirements is null)
        {
            errors.Add("requirements", "is required");
            return errors;
        }

        ValidateRequirements(job.Requirements, errors);
        return errors;
    }

    private static void ValidateRequirements(JobRequirements req, ValidationErrors errors)
    {
        const string at = "requirements";
        if (req.Resources is null) errors.Add($"{at}.resources", "is required");
        else ValidateResources(req.Resources, $"{at}.resources", errors);

        if (req.Executors is null) errors.Add($"{at}.executors", "must be a list (or left out)");
        else
            for (var i = 0; i < req.Executors.Count; i++)
                if (!Enum.IsDefined(req.Executors[i]))
                    errors.Add($"{at}.executors[{i}]", "must be one of docker, firecracker, wasm");

        if (req.Localities is null) errors.Add($"{at}.localities", "must be a list (or left out)");
        else ValidateLocalities(req.Localities, $"{at}.localities", errors);

        if (req.MaxPricePerHour is { } price && (price < 0 || price > Limits.MaxPricePerHour))
            errors.Add($"{at}.maxPricePerHour", $"must be between 0 and {Limits.MaxPricePerHour}, was {price}");
        if (req.DurationMinutes is { } minutes && (minutes < 1 || minutes > Limits.MaxDurationMinutes))
            errors.Add($"{at}.durationMinutes", $"must be between 1 and {Limits.MaxDurationMinutes}, was {minutes}");
    }

    private static void ValidateResources(ResourceRequirements r, string at, ValidationErrors errors)
    {
        Range(errors, $"{at}.cpuCores", r.CpuCores, 1, Limits.MaxCpuCores);
        Range(errors, $"{at}.ramMb", r.RamMb, 1, Limits.MaxRamMb);
        Range(errors, $"{at}.diskGb", r.DiskGb, 0, Limits.MaxDiskGb);
        if (r.Gpus is null)
        {
            errors.Add($"{at}.gpus", "must be a list (or left out)");
            return;
        }

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
            if (gpu.VramMb is { } vram) Range(errors, $"{at}.gpus[{i}].vramMb", vram, 1, Limits.MaxVramMb);
        }
    }

    internal static void ValidateLocalities(IReadOnlyList<Locality> localities, string at, ValidationErrors errors)
    {
        if (localities.Count > Limits.MaxLocalities)
            errors.Add(at, $"must list at most {Limits.MaxLocalities} localities, listed {localities.Count}");
        for (var i = 0; i < localities.Count && i < Limits.MaxLocalities; i++)
        {
            if (localities[i] is not { } place)
            {
                errors.Add($"{at}[{i}]", "must be an object with kind and name");
                continue;
            }

            RequiredName(errors, $"{at}[{i}].kind", place.Kind);
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
