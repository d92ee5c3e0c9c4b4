using Orchestrator.Protocol.Model;
using Orchestrator.Validation;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.Validation;

/// <summary>
/// Every rule of a job description: the field it names and the sentence the user reads, exactly. A rule that stops
/// firing, fires for a sound value, or says the wrong thing fails here.
/// </summary>
public class JobDescriptionValidatorTests
{
    private static JobDescription Job(Func<JobRequirements, JobRequirements> change) => JobOf(change(Needs()));

    private static JobDescription WithResources(Func<ResourceRequirements, ResourceRequirements> change) =>
        Job(n => n with { Resources = change(n.Resources) });

    private static JobDescription Preferring(params Preference[] preferences) => JobOf() with { Preferences = preferences };

    private static string[] Ids(int count) => Enumerable.Range(0, count).Select(i => $"cp-{i}").ToArray();

    public static TheoryData<string, JobDescription, string[]> Invalid => new()
    {
        // The job itself.
        { "empty id", JobOf(id: ""), ["jobId: must not be empty"] },
        { "long id", JobOf(id: new string('x', 129)), ["jobId: must be at most 128 characters, was 129"] },
        { "id character", JobOf(id: "has space"), ["jobId: may contain only letters and digits (any script) and . _ - : (found ' ')"] },
        { "orchestration type", JobOf() with { OrchestrationType = (OrchestrationType)9 }, ["orchestrationType: must be one of pull, push"] },
        { "push without targets", JobOf() with { OrchestrationType = OrchestrationType.Push },
            ["targetProviders: push orchestration needs at least one target provider (see GET /orchestrator/providers)"] },
        { "targets without push", JobOf() with { TargetProviders = ["cp-1"] },
            ["targetProviders: is only for push orchestration, and this node defaults to pull; set orchestrationType to push or leave the targets out"] },
        { "targets on pull", JobOf() with { OrchestrationType = OrchestrationType.Pull, TargetProviders = ["cp-1"] },
            ["targetProviders: is only for push orchestration; set orchestrationType to push or leave the targets out"] },
        { "too many targets", JobOf() with { OrchestrationType = OrchestrationType.Push, TargetProviders = Ids(65) },
            ["targetProviders: must list at most 64 providers, listed 65"] },
        // Beyond the bound a target is not looked at (the list is refused as a whole).
        { "bad target beyond the bound", JobOf() with { OrchestrationType = OrchestrationType.Push, TargetProviders = [.. Ids(64), "bad id"] },
            ["targetProviders: must list at most 64 providers, listed 65"] },
        { "bad target", JobOf() with { OrchestrationType = OrchestrationType.Push, TargetProviders = ["cp-1", "bad id"] },
            ["targetProviders[1]: may contain only letters and digits (any script) and . _ - : (found ' ')"] },
        { "duplicate target", JobOf() with { OrchestrationType = OrchestrationType.Push, TargetProviders = ["cp-1", "cp-2", "cp-1"] },
            ["targetProviders: lists a provider more than once"] },
        { "selection", JobOf() with { Selection = (SelectionCriterion)7 }, ["selection: must be one of score, lowest-price, earliest-bid"] },
        { "deadline 0", JobOf() with { DeadlineSeconds = 0 }, ["deadlineSeconds: must be between 1 and 604800, was 0"] },
        { "deadline too far", JobOf() with { DeadlineSeconds = 604_801 }, ["deadlineSeconds: must be between 1 and 604800, was 604801"] },
        { "no requirements", JobOf() with { Requirements = null!, Preferences = [new Preference { Weight = 0 }] }, ["requirements: is required"] },

        // Resources.
        { "no resources", Job(n => n with { Resources = null! }), ["requirements.resources: is required"] },
        { "cpu 0", WithResources(r => r with { CpuCores = 0 }), ["requirements.resources.cpuCores: must be between 1 and 4096, was 0"] },
        { "cpu huge", WithResources(r => r with { CpuCores = 4097 }), ["requirements.resources.cpuCores: must be between 1 and 4096, was 4097"] },
        { "ram 0", WithResources(r => r with { RamMb = 0 }), ["requirements.resources.ramMb: must be between 1 and 67108864, was 0"] },
        { "ram huge", WithResources(r => r with { RamMb = 67108865 }), ["requirements.resources.ramMb: must be between 1 and 67108864, was 67108865"] },
        { "disk negative", WithResources(r => r with { DiskGb = -1 }), ["requirements.resources.diskGb: must be between 0 and 1048576, was -1"] },
        { "disk huge", WithResources(r => r with { DiskGb = 1048577 }), ["requirements.resources.diskGb: must be between 0 and 1048576, was 1048577"] },
        { "clock 0", WithResources(r => r with { CpuClockMhz = 0 }), ["requirements.resources.cpuClockMhz: must be between 1 and 20000, was 0"] },
        { "clock huge", WithResources(r => r with { CpuClockMhz = 20001 }), ["requirements.resources.cpuClockMhz: must be between 1 and 20000, was 20001"] },
        { "blank architecture", WithResources(r => r with { Architecture = " " }), ["requirements.resources.architecture: is required and must not be blank"] },
        { "long architecture", WithResources(r => r with { Architecture = new string('a', 65) }), ["requirements.resources.architecture: must be at most 64 characters"] },
        { "blank disk type", WithResources(r => r with { DiskType = "" }), ["requirements.resources.diskType: is required and must not be blank"] },
        { "too many gpus", WithResources(r => r with { Gpus = Enumerable.Repeat(new GpuRequirement(), 65).ToArray() }),
            ["requirements.resources.gpus: must list at most 64 GPUs, listed 65"] },
        { "bad gpu beyond the bound", WithResources(r => r with { Gpus = [.. Enumerable.Repeat(new GpuRequirement(), 64), new GpuRequirement { VramMb = 0 }] }),
            ["requirements.resources.gpus: must list at most 64 GPUs, listed 65"] },
        { "null gpu", WithResources(r => r with { Gpus = [new GpuRequirement(), null!] }), ["requirements.resources.gpus[1]: must be an object"] },
        { "blank gpu vendor", WithResources(r => r with { Gpus = [new GpuRequirement { Vendor = " " }] }),
            ["requirements.resources.gpus[0].vendor: is required and must not be blank"] },
        { "blank gpu model", WithResources(r => r with { Gpus = [new GpuRequirement { Model = "" }] }),
            ["requirements.resources.gpus[0].model: is required and must not be blank"] },
        { "vram 0", WithResources(r => r with { Gpus = [new GpuRequirement { VramMb = 0 }] }),
            ["requirements.resources.gpus[0].vramMb: must be between 1 and 1048576, was 0"] },
        { "vram huge", WithResources(r => r with { Gpus = [new GpuRequirement { VramMb = 1048577 }] }),
            ["requirements.resources.gpus[0].vramMb: must be between 1 and 1048576, was 1048577"] },

        // Executors, localities, price, duration, budget, currency, job type.
        { "executor", Job(n => n with { Executors = [ExecutorType.Docker, (ExecutorType)42] }),
            ["requirements.executors[1]: must be one of docker, firecracker, wasm, simulated"] },
        { "too many localities", Job(n => n with { Localities = Enumerable.Repeat(new Locality("country", "DE"), 65).ToArray() }),
            ["requirements.localities: must list at most 64 localities, listed 65"] },
        { "bad locality beyond the bound", Job(n => n with { Localities = [.. Enumerable.Repeat(new Locality("country", "DE"), 64), new Locality("", "")] }),
            ["requirements.localities: must list at most 64 localities, listed 65"] },
        { "null locality", Job(n => n with { Localities = [null!] }), ["requirements.localities[0]: must be an object with kind and name"] },
        { "blank locality kind", Job(n => n with { Localities = [new Locality("", "DE")] }), ["requirements.localities[0].kind: is required and must not be blank"] },
        { "unknown locality kind", Job(n => n with { Localities = [new Locality("planet", "Mars")] }),
            ["requirements.localities[0].kind: 'planet' is not one of continent, country, region, city"] },
        { "blank locality name", Job(n => n with { Localities = [new Locality("city", " ")] }), ["requirements.localities[0].name: is required and must not be blank"] },
        { "price negative", Job(n => n with { MaxPricePerHour = -0.01m }), ["requirements.maxPricePerHour: must be between 0 and 1000000, was -0.01"] },
        { "price huge", Job(n => n with { MaxPricePerHour = 1_000_000.01m }), ["requirements.maxPricePerHour: must be between 0 and 1000000, was 1000000.01"] },
        { "duration 0", Job(n => n with { DurationMinutes = 0 }), ["requirements.durationMinutes: must be between 1 and 527040, was 0"] },
        { "duration huge", Job(n => n with { DurationMinutes = 527041 }), ["requirements.durationMinutes: must be between 1 and 527040, was 527041"] },
        { "budget negative", Job(n => n with { MaxTotalBudget = -1m }), ["requirements.maxTotalBudget: must be between 0 and 8784000000, was -1"] },
        { "budget huge", Job(n => n with { MaxTotalBudget = 8_784_000_001m }), ["requirements.maxTotalBudget: must be between 0 and 8784000000, was 8784000001"] },
        { "currency short", Job(n => n with { Currency = "U" }), ["requirements.currency: must be a currency code of 2–8 capital letters, e.g. USD, EUR, NTX"] },
        { "currency long", Job(n => n with { Currency = "ABCDEFGHI" }), ["requirements.currency: must be a currency code of 2–8 capital letters, e.g. USD, EUR, NTX"] },
        { "currency lower case", Job(n => n with { Currency = "usd" }), ["requirements.currency: must be a currency code of 2–8 capital letters, e.g. USD, EUR, NTX"] },
        { "currency partly lower case", Job(n => n with { Currency = "USd" }), ["requirements.currency: must be a currency code of 2–8 capital letters, e.g. USD, EUR, NTX"] },
        { "job type", Job(n => n with { JobType = (JobType)9 }), ["requirements.jobType: must be one of batch, single_run, recurring, long_running"] },

        // Libraries, storage, connectivity, labels.
        { "too many libraries", Job(n => n with { Libraries = Enumerable.Repeat(new LibraryRequirement("cuda"), 65).ToArray() }),
            ["requirements.libraries: must list at most 64 items, listed 65"] },
        { "bad library beyond the bound", Job(n => n with { Libraries = [.. Enumerable.Repeat(new LibraryRequirement("cuda"), 64), new LibraryRequirement("")] }),
            ["requirements.libraries: must list at most 64 items, listed 65"] },
        { "null library", Job(n => n with { Libraries = [null!] }), ["requirements.libraries[0]: must be an object"] },
        { "blank library", Job(n => n with { Libraries = [new LibraryRequirement(" ")] }), ["requirements.libraries[0].name: is required and must not be blank"] },
        { "library constraint", Job(n => n with { Libraries = [new LibraryRequirement("cuda", ">=twelve")] }),
            ["requirements.libraries[0].constraint: '>=twelve' is not a version constraint (use e.g. >=12.0, ~> 1.2, ^2.1, 1.2 - 2.0)"] },
        { "blank storage", Job(n => n with { Storage = [new StorageRequirement("", 5)] }), ["requirements.storage[0].kind: is required and must not be blank"] },
        { "storage negative", Job(n => n with { Storage = [new StorageRequirement("s3", -1)] }), ["requirements.storage[0].sizeGb: must be between 0 and 1048576, was -1"] },
        { "storage huge", Job(n => n with { Storage = [new StorageRequirement("s3", 1048577)] }), ["requirements.storage[0].sizeGb: must be between 0 and 1048576, was 1048577"] },
        { "port 0", Job(n => n with { Connectivity = new ConnectivityRequirement { Ports = [22, 0] } }), ["requirements.connectivity.ports[1]: must be between 1 and 65535, was 0"] },
        { "port huge", Job(n => n with { Connectivity = new ConnectivityRequirement { Ports = [65536] } }), ["requirements.connectivity.ports[0]: must be between 1 and 65535, was 65536"] },
        { "too many ports", Job(n => n with { Connectivity = new ConnectivityRequirement { Ports = Enumerable.Range(1, 65).ToArray() } }),
            ["requirements.connectivity.ports: must list at most 64 ports"] },
        { "bad port beyond the bound", Job(n => n with { Connectivity = new ConnectivityRequirement { Ports = [.. Enumerable.Range(1, 64), 0] } }),
            ["requirements.connectivity.ports: must list at most 64 ports"] },
        { "blank label key", Job(n => n with { Labels = [new LabelConstraint { Key = " ", Op = LabelOperator.Exists }] }),
            ["requirements.labels[0].key: is required and must not be blank"] },
        { "label operator", Job(n => n with { Labels = [new LabelConstraint { Key = "tier", Op = (LabelOperator)99 }] }),
            ["requirements.labels[0].op: must be one of =, !=, in, not in, exists, <, <=, >, >="] },
        { "in without values", Job(n => n with { Labels = [new LabelConstraint { Key = "tier", Op = LabelOperator.In }] }),
            ["requirements.labels[0].values: 'in' needs a non-empty list of values"] },
        { "not in without values", Job(n => n with { Labels = [new LabelConstraint { Key = "tier", Op = LabelOperator.NotIn }] }),
            ["requirements.labels[0].values: 'not in' needs a non-empty list of values"] },
        { "equals without value", Job(n => n with { Labels = [new LabelConstraint { Key = "tier", Op = LabelOperator.Equals }] }),
            ["requirements.labels[0].value: '=' needs a value"] },
        { "not equals without value", Job(n => n with { Labels = [new LabelConstraint { Key = "tier", Op = LabelOperator.NotEquals }] }),
            ["requirements.labels[0].value: '!=' needs a value"] },
        { "less than a word", Job(n => n with { Labels = [new LabelConstraint { Key = "uptime", Op = LabelOperator.LessThan, Value = "high" }] }),
            ["requirements.labels[0].value: '<' compares numbers; value must be a number"] },
        { "at most nothing", Job(n => n with { Labels = [new LabelConstraint { Key = "uptime", Op = LabelOperator.LessThanOrEqual }] }),
            ["requirements.labels[0].value: '<=' compares numbers; value must be a number"] },
        { "more than a word", Job(n => n with { Labels = [new LabelConstraint { Key = "uptime", Op = LabelOperator.GreaterThan, Value = "x" }] }),
            ["requirements.labels[0].value: '>' compares numbers; value must be a number"] },
        { "at least a word", Job(n => n with { Labels = [new LabelConstraint { Key = "uptime", Op = LabelOperator.GreaterThanOrEqual, Value = "9x" }] }),
            ["requirements.labels[0].value: '>=' compares numbers; value must be a number"] },

        // Preferences.
        { "too many preferences", Preferring(Enumerable.Repeat(new Preference { Weight = 1, LowerPrice = true }, 33).ToArray()),
            ["preferences: must list at most 32 preferences, listed 33"] },
        { "bad preference beyond the bound", Preferring([.. Enumerable.Repeat(new Preference { Weight = 1, LowerPrice = true }, 32), new Preference { Weight = 0 }]),
            ["preferences: must list at most 32 preferences, listed 33"] },
        { "null preference", Preferring(new Preference { Weight = 1, LowerPrice = true }, null!), ["preferences[1]: must be an object"] },
        { "weight 0", Preferring(new Preference { Weight = 0, LowerPrice = true }), ["preferences[0].weight: must be between 1 and 100, was 0"] },
        { "weight 101", Preferring(new Preference { Weight = 101, SpareCapacity = true }), ["preferences[0].weight: must be between 1 and 100, was 101"] },
        { "no preference named", Preferring(new Preference { Weight = 10 }),
            ["preferences[0]: must name one preference: localities, executor, gpu, label, library, diskType, more, lowerPrice or spareCapacity"] },
        { "every preference named", Preferring(new Preference
            {
                Weight = 10, Localities = [new Locality("city", "Rome")], Executor = ExecutorType.Wasm, Gpu = new GpuRequirement(), Label = new LabelConstraint { Key = "k" },
                Library = new LibraryRequirement("cuda"), DiskType = "ssd", More = new MorePreference(ResourceDimension.RamMb), LowerPrice = true,
                SpareCapacity = true,
            }),
            ["preferences[0]: must name exactly one preference, named localities, executor, gpu, label, library, diskType, more, lowerPrice, spareCapacity"] },
        { "preference for no place", Preferring(new Preference { Weight = 5, Localities = [] }),
            ["preferences[0].localities: must name at least one locality"] },
        { "bad locality preference", Preferring(new Preference { Weight = 5, Localities = [new Locality("galaxy", "x")] }),
            ["preferences[0].localities[0].kind: 'galaxy' is not one of continent, country, region, city"] },
        { "bad executor preference", Preferring(new Preference { Weight = 5, Executor = (ExecutorType)8 }),
            ["preferences[0].executor: must be one of docker, firecracker, wasm, simulated"] },
        { "bad gpu preference", Preferring(new Preference { Weight = 5, Gpu = new GpuRequirement { VramMb = 0 } }),
            ["preferences[0].gpu.vramMb: must be between 1 and 1048576, was 0"] },
        { "bad label preference", Preferring(new Preference { Weight = 5, Label = new LabelConstraint { Key = "", Op = LabelOperator.Exists } }),
            ["preferences[0].label.key: is required and must not be blank"] },
        { "bad library preference", Preferring(new Preference { Weight = 5, Library = new LibraryRequirement("cuda", "~>") }),
            ["preferences[0].library.constraint: '~>' is not a version constraint (use e.g. >=12.0, ~> 1.2, ^2.1, 1.2 - 2.0)"] },
        { "blank disk type preference", Preferring(new Preference { Weight = 5, DiskType = " " }),
            ["preferences[0].diskType: is required and must not be blank"] },
        { "more of nothing", Preferring(new Preference { Weight = 5, More = new MorePreference((ResourceDimension)17) }),
            ["preferences[0].more.resource: must be one of cpuCores, cpuClockMhz, ramMb, diskGb, gpuVramMb"] },
        { "more target 0", Preferring(new Preference { Weight = 5, More = new MorePreference(ResourceDimension.RamMb, 0) }),
            ["preferences[0].more.target: must be between 1 and 4611686018427387903, was 0"] },
        { "lower price false", Preferring(new Preference { Weight = 5, LowerPrice = false }),
            ["preferences[0]: lowerPrice and spareCapacity take true; leave the preference out to turn it off"] },
        { "spare capacity false", Preferring(new Preference { Weight = 5, SpareCapacity = false }),
            ["preferences[0]: lowerPrice and spareCapacity take true; leave the preference out to turn it off"] },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Names_the_bad_field_and_says_what_is_wrong(string name, JobDescription job, string[] expected)
    {
        Assert.True(Problems(job).SequenceEqual(expected), $"{name}: got [{string.Join(" | ", Problems(job))}]");
    }

    /// <summary>The values at each end of every range are accepted: a bound moved by one fails here.</summary>
    public static TheoryData<string, JobDescription> Sound => new()
    {
        { "a plain job", JobOf(Needs(cpu: 4, gpus: [new GpuRequirement { Vendor = "nvidia", VramMb = 8000 }], localities: [new Locality("country", "DE")], maxPrice: 2m), id: "job-ok.1") },
        { "an id of every allowed kind", JobOf(id: "Job_1.a-b:ü" + new string('x', 117)) },
        { "push with 64 targets", JobOf() with { OrchestrationType = OrchestrationType.Push, TargetProviders = Ids(64) } },
        { "deadlines at the bounds", JobOf() with { DeadlineSeconds = 1 } },
        { "deadline at the far bound", JobOf() with { DeadlineSeconds = 604_800 } },
        { "smallest resources", WithResources(r => r with { CpuCores = 1, RamMb = 1, DiskGb = 0, CpuClockMhz = 1, Gpus = [new GpuRequirement { VramMb = 1 }] }) },
        { "largest resources", WithResources(r => r with
            {
                CpuCores = 4096, RamMb = 67108864, DiskGb = 1048576, CpuClockMhz = 20000, Architecture = new string('a', 64), DiskType = "nvme",
                Gpus = [.. Enumerable.Repeat(new GpuRequirement { Vendor = "nvidia", Model = "A100", VramMb = 1048576 }, 64)],
            }) },
        { "every executor", Job(n => n with { Executors = [ExecutorType.Docker, ExecutorType.Firecracker, ExecutorType.Wasm] }) },
        { "64 localities of every kind", Job(n => n with
            {
                Localities = [.. Enumerable.Range(0, 16).SelectMany(i => new[] { new Locality("continent", "EU"), new Locality("Country", "DE"), new Locality("region", "BY"), new Locality("city", "Munich") })],
            }) },
        { "prices at the bounds", Job(n => n with { MaxPricePerHour = 0m, MaxTotalBudget = 8_784_000_000m, DurationMinutes = 527040 }) },
        { "prices at the far bounds", Job(n => n with { MaxPricePerHour = 1_000_000m, MaxTotalBudget = 0m, DurationMinutes = 1 }) },
        { "currencies of 2 and 8 letters", Job(n => n with { Currency = "EU" }) },
        { "currency of 8 letters", Job(n => n with { Currency = "ABCDEFGH" }) },
        { "every job type", Job(n => n with { JobType = JobType.LongRunning }) },
        { "64 libraries, storage and labels", Job(n => n with
            {
                Libraries = [.. Enumerable.Repeat(new LibraryRequirement("cuda", ">=12.0"), 64)],
                Storage = [new StorageRequirement("s3", 0), new StorageRequirement("ipfs", 1048576)],
                Connectivity = new ConnectivityRequirement { Ports = [.. Enumerable.Range(65472, 64)] },
                Labels =
                [
                    new LabelConstraint { Key = "tier", Op = LabelOperator.In, Values = ["gold"] },
                    new LabelConstraint { Key = "tier", Op = LabelOperator.NotIn, Values = ["lead"] },
                    new LabelConstraint { Key = "tier", Op = LabelOperator.NotEquals, Value = "" },
                    new LabelConstraint { Key = "gpu", Op = LabelOperator.Exists },
                    new LabelConstraint { Key = "uptime", Op = LabelOperator.GreaterThanOrEqual, Value = "99.5" },
                    new LabelConstraint { Key = "uptime", Op = LabelOperator.LessThan, Value = "-1,000.5" },
                ],
            }) },
        { "port 1", Job(n => n with { Connectivity = new ConnectivityRequirement { Ports = [1] } }) },
        { "32 preferences of every kind and weight", Preferring(
            [
                new Preference { Weight = 1, LowerPrice = true }, new Preference { Weight = 100, SpareCapacity = true },
                new Preference { Weight = 5, Localities = [new Locality("region", "BY")] }, new Preference { Weight = 5, Executor = ExecutorType.Wasm },
                new Preference { Weight = 5, Gpu = new GpuRequirement { VramMb = 1 } }, new Preference { Weight = 5, Label = new LabelConstraint { Key = "k", Op = LabelOperator.Exists } },
                new Preference { Weight = 5, Library = new LibraryRequirement("cuda", "^12") }, new Preference { Weight = 5, DiskType = "ssd" },
                new Preference { Weight = 5, More = new MorePreference(ResourceDimension.GpuVramMb, 1) },
                new Preference { Weight = 5, More = new MorePreference(ResourceDimension.CpuCores, long.MaxValue / 2) },
                .. Enumerable.Repeat(new Preference { Weight = 5, More = new MorePreference(ResourceDimension.RamMb) }, 22),
            ]) },
    };

    [Theory]
    [MemberData(nameof(Sound))]
    public void Accepts_every_value_inside_the_bounds(string name, JobDescription job)
    {
        Assert.True(Problems(job).Length == 0, $"{name}: {string.Join(" | ", Problems(job))}");
    }

    [Fact]
    public void On_a_node_that_defaults_to_push_a_job_naming_no_type_is_a_push_job()
    {
        var targets = JobOf() with { TargetProviders = ["cp-1"] };
        Assert.Empty(JobDescriptionValidator.Validate(targets, OrchestrationType.Push).ToDictionary());
        Assert.Equal(["targetProviders: this node defaults to push orchestration: name the target providers, or set orchestrationType to pull"],
            JobDescriptionValidator.Validate(JobOf(), OrchestrationType.Push).ToDictionary().Select(kv => $"{kv.Key}: {string.Join(" | ", kv.Value)}"));
        Assert.Empty(JobDescriptionValidator.Validate(JobOf() with { OrchestrationType = OrchestrationType.Pull }, OrchestrationType.Push).ToDictionary());
    }

    [Fact]
    public void A_missing_description_is_named()
    {
        Assert.Equal([": a job description is required"], Problems(null));
    }

    [Fact]
    public void Every_bad_field_is_reported_at_once_and_a_field_keeps_every_complaint()
    {
        var job = JobOf(Needs(cpu: 0, ramMb: 0, maxPrice: -1m)) with
        {
            OrchestrationType = OrchestrationType.Push, TargetProviders = [.. Ids(65), "cp-0"],
        };
        Assert.Equal(
        [
            "requirements.maxPricePerHour: must be between 0 and 1000000, was -1",
            "requirements.resources.cpuCores: must be between 1 and 4096, was 0",
            "requirements.resources.ramMb: must be between 1 and 67108864, was 0",
            "targetProviders: lists a provider more than once",
            "targetProviders: must list at most 64 providers, listed 66",
        ], Problems(job));
    }

    internal static string[] Problems(JobDescription? job) =>
        JobDescriptionValidator.Validate(job).ToDictionary()
            .SelectMany(kv => kv.Value.Select(message => $"{kv.Key}: {message}"))
            .Order(StringComparer.Ordinal).ToArray();
}
