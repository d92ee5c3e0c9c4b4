using Orchestrator.Protocol.Model;

namespace Orchestrator.Validation;

/// <summary>Each preference: a weight of 1–100 and exactly one constraint, itself valid.</summary>
public static class PreferenceValidator
{
    public static void Validate(IReadOnlyList<Preference> preferences, ValidationErrors errors)
    {
        if (preferences.Count > Limits.MaxPreferences)
            errors.Add("preferences", $"must list at most {Limits.MaxPreferences} preferences, listed {preferences.Count}");
        for (var i = 0; i < preferences.Count && i < Limits.MaxPreferences; i++)
        {
            var at = $"preferences[{i}]";
            // A plain null check rather than a pattern variable: mutation testing can mutate this condition without
            // leaving the variable unassigned (which would cost the whole method its mutants).
            var p = preferences[i];
            if (p is null)
            {
                errors.Add(at, "must be an object");
                continue;
            }

            if (p.Weight is < 1 or > 100) errors.Add($"{at}.weight", $"must be between 1 and 100, was {p.Weight}");
            var set = Kinds(p).ToArray();
            if (set.Length != 1)
            {
                errors.Add(at, set.Length == 0
                    ? "must name one preference: localities, executor, gpu, label, library, diskType, more, lowerPrice or spareCapacity"
                    : $"must name exactly one preference, named {string.Join(", ", set)}");
                continue;
            }

            // No pattern variables in these conditions: mutation testing cannot mutate a condition that declares one.
            if (p.Localities?.Count == 0) errors.Add($"{at}.localities", "must name at least one locality");
            if (p.Localities is not null) JobDescriptionValidator.ValidateLocalities(p.Localities, $"{at}.localities", errors);
            if (p.Executor is not null && !Enum.IsDefined(p.Executor.Value)) errors.Add($"{at}.executor", "must be one of docker, firecracker, wasm, simulated");
            if (p.Gpu?.VramMb is not null) JobDescriptionValidator.Range(errors, $"{at}.gpu.vramMb", p.Gpu.VramMb.Value, 1, Limits.MaxVramMb);
            if (p.Label is not null) JobDescriptionValidator.ValidateLabel(p.Label, $"{at}.label", errors);
            if (p.Library is not null) JobDescriptionValidator.ValidateLibrary(p.Library, $"{at}.library", errors);
            if (p.DiskType is not null) JobDescriptionValidator.RequiredName(errors, $"{at}.diskType", p.DiskType);
            if (p.More is not null)
            {
                if (!Enum.IsDefined(p.More.Resource))
                    errors.Add($"{at}.more.resource", "must be one of cpuCores, cpuClockMhz, ramMb, diskGb, gpuVramMb");
                if (p.More.Target is not null) JobDescriptionValidator.Range(errors, $"{at}.more.target", p.More.Target.Value, 1, long.MaxValue / 2);
            }

            if (p.LowerPrice == false || p.SpareCapacity == false)
                errors.Add(at, "lowerPrice and spareCapacity take true; leave the preference out to turn it off");
        }
    }

    private static IEnumerable<string> Kinds(Preference p)
    {
        if (p.Localities is not null) yield return "localities";
        if (p.Executor is not null) yield return "executor";
        if (p.Gpu is not null) yield return "gpu";
        if (p.Label is not null) yield return "label";
        if (p.Library is not null) yield return "library";
        if (p.DiskType is not null) yield return "diskType";
        if (p.More is not null) yield return "more";
        if (p.LowerPrice is not null) yield return "lowerPrice";
        if (p.SpareCapacity is not null) yield return "spareCapacity";
    }
}
