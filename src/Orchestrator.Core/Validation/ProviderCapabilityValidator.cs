using Orchestrator.Protocol.Model;

namespace Orchestrator.Validation;

/// <summary>Checks what a provider onboards (e.g. from a providers file) before any actor sees it.</summary>
public static class ProviderCapabilityValidator
{
    public static ValidationErrors Validate(IReadOnlyList<ProviderCapability?> providers)
    {
        var errors = new ValidationErrors();
        if (providers.Count == 0) errors.Add("", "at least one provider is required");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < providers.Count; i++)
        {
            var at = $"[{i}]";
            // A plain null check rather than a pattern variable: mutation testing can mutate this condition without
            // leaving the variable unassigned (which would cost the whole method its mutants).
            var p = providers[i];
            if (p is null)
            {
                errors.Add(at, "must be an object");
                continue;
            }

            var idError = Limits.CheckId(p.Id);
            if (idError is not null) errors.Add($"{at}.id", idError);
            else if (!seen.Add(p.Id)) errors.Add($"{at}.id", $"'{p.Id}' is listed twice");

            if (p.Resources is null) errors.Add($"{at}.resources", "is required");
            else
            {
                JobDescriptionValidator.Range(errors, $"{at}.resources.cpuCores", p.Resources.CpuCores, 1, Limits.MaxCpuCores);
                JobDescriptionValidator.Range(errors, $"{at}.resources.ramMb", p.Resources.RamMb, 1, Limits.MaxRamMb);
                JobDescriptionValidator.Range(errors, $"{at}.resources.diskGb", p.Resources.DiskGb, 0, Limits.MaxDiskGb);
                var gpus = p.Resources.Gpus;
                if (gpus.Count > Limits.MaxGpus) errors.Add($"{at}.resources.gpus", $"must list at most {Limits.MaxGpus} GPUs");
                for (var g = 0; g < gpus.Count && g < Limits.MaxGpus; g++)
                {
                    JobDescriptionValidator.RequiredName(errors, $"{at}.resources.gpus[{g}].vendor", gpus[g]?.Vendor);
                    JobDescriptionValidator.RequiredName(errors, $"{at}.resources.gpus[{g}].model", gpus[g]?.Model);
                    JobDescriptionValidator.Range(errors, $"{at}.resources.gpus[{g}].vramMb", gpus[g]?.VramMb ?? 0, 1, Limits.MaxVramMb);
                }
            }

            if (p.Executors.Count == 0) errors.Add($"{at}.executors", "must list at least one executor");
            JobDescriptionValidator.ValidateLocalities(p.Localities, $"{at}.localities", errors);
            JobDescriptionValidator.ValidateList(p.Libraries, $"{at}.libraries", errors, (lib, path) =>
            {
                JobDescriptionValidator.RequiredName(errors, $"{path}.name", lib.Name);
                if (!Matching.VersionConstraint.TryParse("=" + lib.Version, out _, out _))
                    errors.Add($"{path}.version", $"'{lib.Version}' is not a version like 12.2 or 1.2.3");
            });
            JobDescriptionValidator.ValidateList(p.Storage, $"{at}.storage", errors, (storage, path) =>
            {
                JobDescriptionValidator.RequiredName(errors, $"{path}.kind", storage.Kind);
                JobDescriptionValidator.Range(errors, $"{path}.sizeGb", storage.SizeGb, 0, Limits.MaxDiskGb);
            });
            var ports = p.Connectivity?.OpenPorts ?? [];
            if (ports.Count > Limits.MaxListLength) errors.Add($"{at}.connectivity.openPorts", $"must list at most {Limits.MaxListLength} ports");
            for (var port = 0; port < ports.Count && port < Limits.MaxListLength; port++)
                JobDescriptionValidator.Range(errors, $"{at}.connectivity.openPorts[{port}]", ports[port], 1, 65535);
            foreach (var (key, value) in p.Labels)
            {
                JobDescriptionValidator.RequiredName(errors, $"{at}.labels", key);
                if (value is null || value.Length > Limits.MaxNameLength) errors.Add($"{at}.labels.{key}", "must be a string of at most 64 characters");
            }

            if (string.IsNullOrWhiteSpace(p.Currency) || p.Currency.Length > 8) errors.Add($"{at}.currency", "must be a currency code such as USD");
            if (p.MaxJobDurationMinutes < 0) errors.Add($"{at}.maxJobDurationMinutes", "must not be negative (0 means no limit)");
            if (p.PricePerHour < 0 || p.PricePerHour > Limits.MaxPricePerHour)
                errors.Add($"{at}.pricePerHour", $"must be between 0 and {Limits.MaxPricePerHour}, was {p.PricePerHour}");
            if (p.PricePerResult < 0 || p.PricePerResult > Limits.MaxPricePerHour * 24 * 366)
                errors.Add($"{at}.pricePerResult", $"must be between 0 and {Limits.MaxPricePerHour * 24 * 366}, was {p.PricePerResult}");
            else if (p.PricePerResult is not null && p.PricePerHour != 0)
                errors.Add($"{at}.pricePerResult", $"a provider charges per hour or per result, not both: pricePerHour is {p.PricePerHour}; set it to 0 or drop pricePerResult");
        }

        return errors;
    }
}
