using System.Text.Json.Serialization;
using VroegSignalering.Core.Intake;

namespace VroegSignalering.Azure.Tables;

/// <summary>Source-generated JSON for values the adapters keep inside table properties and queue messages.</summary>
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(string[][]))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(SortedDictionary<string, long>))]
[JsonSerializable(typeof(IntakeResponse))]
public sealed partial class TableJson : JsonSerializerContext;
