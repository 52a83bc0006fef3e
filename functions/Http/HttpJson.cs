using System.Text.Json.Serialization;
using VroegSignalering.Core.Intake;
using VroegSignalering.Functions.Health;
using VroegSignalering.Functions.Intake;
using VroegSignalering.Functions.Operations;
using VroegSignalering.Functions.Outcomes;

namespace VroegSignalering.Functions.Http;

/// <summary>Source-generated JSON for the public HTTP API (web naming: camelCase).</summary>
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Problem))]
[JsonSerializable(typeof(IntakeResponse))]
[JsonSerializable(typeof(IntakeStatusResponse))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(OutboxRetryRequest))]
[JsonSerializable(typeof(OutboxRetryResponse))]
[JsonSerializable(typeof(KeyUsageResponse))]
[JsonSerializable(typeof(KeyRetireResponse))]
[JsonSerializable(typeof(KeyRewrapResponse))]
[JsonSerializable(typeof(StorageRequestsResponse))]
[JsonSerializable(typeof(QuarantineRedriveRequestBody))]
[JsonSerializable(typeof(QuarantineRedriveResponse))]
[JsonSerializable(typeof(QuarantineAssignRequest))]
[JsonSerializable(typeof(QuarantineAssignResponse))]
[JsonSerializable(typeof(ContactAttemptRequest))]
[JsonSerializable(typeof(ContactAttemptResponse))]
[JsonSerializable(typeof(HelpDecisionRequest))]
[JsonSerializable(typeof(HelpDecisionResponse))]
[JsonSerializable(typeof(CaseClosingRequest))]
[JsonSerializable(typeof(CaseClosingResponse))]
[JsonSerializable(typeof(TaskOutcomeResponse))]
[JsonSerializable(typeof(FeedbackResponse))]
[JsonSerializable(typeof(VroegSignalering.Functions.Retention.RetentionRunResponse))]
public sealed partial class HttpJson : JsonSerializerContext;
