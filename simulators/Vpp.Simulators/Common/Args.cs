namespace Vpp.Simulators.Common;

/// <summary>Tiny "--name value" / "--flag" parser; unknown options are an error, not a silent default.</summary>
public sealed class Args
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public Args(IEnumerable<string> args)
    {
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            if (!list[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"Unexpected argument '{list[i]}'.");
            var name = list[i][2..];
            var value = i + 1 < list.Count && !list[i + 1].StartsWith("--", StringComparison.Ordinal) ? list[++i] : null;
            _values[name] = value;
        }
    }

    public string String(string name, string fallback) { _read.Add(name); return _values.TryGetValue(name, out var v) && v is not null ? v : fallback; }
    public string? Optional(string name) { _read.Add(name); return _values.GetValueOrDefault(name); }
    public int Int(string name, int fallback) => int.TryParse(String(name, fallback.ToString()), out var v) ? v : throw new ArgumentException($"--{name} must be an integer.");
    public double Double(string name, double fallback) =>
        double.TryParse(String(name, fallback.ToString(System.Globalization.CultureInfo.InvariantCulture)), System.Globalization.CultureInfo.InvariantCulture, out var v)
            ? v : throw new ArgumentException($"--{name} must be a number.");
    public bool Flag(string name) { _read.Add(name); return _values.ContainsKey(name); }

    public void EnsureAllUsed()
    {
        var unknown = _values.Keys.Where(k => !_read.Contains(k)).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"Unknown option(s): {string.Join(", ", unknown.Select(u => "--" + u))}.");
    }
}
