using System.Text.Json;
using System.Text.Json.Serialization;
using VroegSignalering.Core.Intake;
using VroegSignalering.Core.Outreach;

namespace VroegSignalering.Core.Common;

/// <summary>
/// Source-generated JSON for Core's own payloads (web naming, enums as strings). Deterministic output,
/// so content hashes of the same signal are stable across processes.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(IncomingSignal))]
[JsonSerializable(typeof(QueuedSignal))]
[JsonSerializable(typeof(List<QueuedSignal>))]
[JsonSerializable(typeof(ClientDetails))]
[JsonSerializable(typeof(IntakeResponse))]
[JsonSerializable(typeof(OutreachTaskMessage))]
[JsonSerializable(typeof(OutboundMessage))]
public sealed partial class CoreJson : JsonSerializerContext;
