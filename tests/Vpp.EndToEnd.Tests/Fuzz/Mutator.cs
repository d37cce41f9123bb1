using System.Text;
using System.Text.Json.Nodes;

namespace Vpp.EndToEnd.Tests.Fuzz;

/// <summary>
/// Seeded mutations of a valid JSON message: values swapped for extremes and wrong types, fields
/// dropped or duplicated, the text truncated or a byte flipped, the whole replaced by another shape.
/// The same seed gives the same inputs, so a failure can be replayed.
/// </summary>
public sealed class Mutator(int seed)
{
    private readonly Random _rng = new(seed);

    private static readonly string[] Extremes =
    [
        "1e308", "-1e308", "1.7976931348623157e308", "NaN", "\"NaN\"", "Infinity", "\"-Infinity\"", "-0", "0", "-1",
        "9223372036854775807", "-9223372036854775808", "18446744073709551616", "1e-320", "null", "true", "false", "[]", "{}",
        "\"\"", "\" \"", "\"\\u0000\"", "\"😀\"", "\"\\ud800\"", "\"9999-12-31T23:59:59Z\"", "\"0001-01-01T00:00:00Z\"",
        "\"2026-13-45T99:99:99Z\"", "\"yesterday\"", "\"' OR 1=1 --\"", "\"<script>alert(1)</script>\"", "\"../../etc/passwd\"",
    ];

    public int Next(int max) => _rng.Next(max);

    public string Mutate(string validJson)
    {
        switch (_rng.Next(10))
        {
            case 0: return validJson[.._rng.Next(validJson.Length)];                       // truncated
            case 1:                                                                       // one byte flipped
            {
                var bytes = Encoding.UTF8.GetBytes(validJson);
                bytes[_rng.Next(bytes.Length)] = (byte)_rng.Next(32, 127);
                return Encoding.UTF8.GetString(bytes);
            }
            case 2: return Extremes[_rng.Next(Extremes.Length)];                          // not an object at all
            case 3: return "[" + validJson + "]";
            case 4: return new string('[', 200 + _rng.Next(2000)) + new string(']', 10);  // deep nesting
            default: return MutateField(validJson);
        }
    }

    private string MutateField(string validJson)
    {
        var o = JsonNode.Parse(validJson)!.AsObject();
        var keys = o.Select(p => p.Key).ToList();
        var key = keys[_rng.Next(keys.Count)];
        var text = o.ToJsonString();
        var value = o[key]?.ToJsonString() ?? "null";
        var field = $"\"{key}\":{value}";
        switch (_rng.Next(6))
        {
            case 0: o.Remove(key); return o.ToJsonString();                                 // missing
            case 1: return text.Replace(field, $"{field},\"{key}\":{Extremes[_rng.Next(Extremes.Length)]}");  // duplicated
            case 2: return text.Replace(field, $"\"{key}\":\"{new string('x', 100 + _rng.Next(30_000))}\"");   // long, maybe past the frame limit
            case 3: return text.Replace(field, $"\"{key}\":{{\"{key}\":{value}}}");          // wrapped
            case 4: return text.TrimEnd('}') + $",\"{Guid.NewGuid():N}\":{Extremes[_rng.Next(Extremes.Length)]}}}";  // unknown field
            default: return text.Replace(field, $"\"{key}\":{Extremes[_rng.Next(Extremes.Length)]}");    // extreme or wrong type
        }
    }
}
