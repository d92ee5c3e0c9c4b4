using Orchestrator.Protocol.Model;
using Orchestrator.Validation;
using static Orchestrator.Tests.Fixtures;

namespace Orchestrator.Tests.Validation;

public class JobDescriptionValidatorTests
{
    public static TheoryData<JobDescription, string> Invalid => new()
    {
        { JobOf(id: "has space"), "jobId" },
        { JobOf(id: new string('x', 129)), "jobId" },
        { JobOf(Needs(cpu: -1)), "requirements.resources.cpuCores" },
        { JobOf(Needs(cpu: 1_000_000)), "requirements.resources.cpuCores" },
        { JobOf(Needs(ramMb: 0)), "requirements.resources.ramMb" },
        { JobOf(Needs(diskGb: -5)), "requirements.resources.diskGb" },
        { JobOf(Needs(gpus: [new GpuRequirement { VramMb = 0 }])), "requirements.resources.gpus[0].vramMb" },
        { JobOf(Needs(gpus: [new GpuRequirement { Vendor = " " }])), "requirements.resources.gpus[0].vendor" },
        { JobOf(Needs(localities: [new Locality("", "DE")])), "requirements.localities[0].kind" },
        { JobOf(Needs(maxPrice: -0.01m)), "requirements.maxPricePerHour" },
        { JobOf(Needs() with { DurationMinutes = 0 }), "requirements.durationMinutes" },
        { JobOf(Needs(executors: [(ExecutorType)42])), "requirements.executors[0]" },
        { JobOf() with { OrchestrationType = OrchestrationType.Push }, "targetProviders" },
        { JobOf() with { TargetProviders = ["cp-1"] }, "targetProviders" },
        { JobOf() with { OrchestrationType = OrchestrationType.Push, TargetProviders = ["cp-1", "bad id"] }, "targetProviders[1]" },
        { JobOf() with { DeadlineSeconds = 0 }, "deadlineSeconds" },
        { JobOf(Needs() with { Libraries = [new LibraryRequirement("cuda", ">=twelve")] }), "requirements.libraries[0].constraint" },
        { JobOf(Needs() with { Labels = [new LabelConstraint { Key = "tier", Op = LabelOperator.In }] }), "requirements.labels[0].values" },
        { JobOf(Needs() with { Labels = [new LabelConstraint { Key = "uptime", Op = LabelOperator.GreaterThan, Value = "high" }] }), "requirements.labels[0].value" },
        { JobOf(Needs() with { Currency = "usd" }), "requirements.currency" },
        { JobOf(Needs() with { Connectivity = new ConnectivityRequirement { Ports = [70000] } }), "requirements.connectivity.ports[0]" },
        { JobOf(Needs() with { Storage = [new StorageRequirement("", 5)] }), "requirements.storage[0].kind" },
        { JobOf() with { Preferences = [new Preference { Weight = 0, LowerPrice = true }] }, "preferences[0].weight" },
        { JobOf() with { Preferences = [new Preference { Weight = 10 }] }, "preferences[0]" },
        { JobOf() with { Preferences = [new Preference { Weight = 10, LowerPrice = true, Executor = ExecutorType.Wasm }] }, "preferences[0]" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Names_the_bad_field(JobDescription job, string field)
    {
        var errors = JobDescriptionValidator.Validate(job).ToDictionary();
        Assert.Equal([field], errors.Keys);
    }

    [Fact]
    public void A_sound_description_has_no_errors()
    {
        var job = JobOf(Needs(cpu: 4, gpus: [new GpuRequirement { Vendor = "nvidia", VramMb = 8000 }],
            localities: [new Locality("country", "DE")], maxPrice: 2m), id: "job-ok.1");
        Assert.True(JobDescriptionValidator.Validate(job).IsEmpty);
    }

    [Fact]
    public void Every_bad_field_is_reported_at_once()
    {
        var errors = JobDescriptionValidator.Validate(JobOf(Needs(cpu: 0, ramMb: 0, maxPrice: -1m))).ToDictionary();
        Assert.Equal(3, errors.Count);
    }
}
