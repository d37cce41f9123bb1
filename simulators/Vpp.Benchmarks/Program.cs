using Vpp.Benchmarks;

// vpp-bench events  --pg <conn> [--sites 200] [--commands 20]
// vpp-bench rollups --pg <conn> [--devices 2000] [--seconds 120]
var command = args.FirstOrDefault();
string Arg(string name, string fallback)
{
    var i = Array.IndexOf(args, "--" + name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
var pg = Arg("pg", Environment.GetEnvironmentVariable("VPP_BENCH_PG") ?? "");
if (pg.Length == 0 || command is not ("events" or "rollups"))
{
    Console.Error.WriteLine("usage: vpp-bench events|rollups --pg <PostgreSQL connection string> [options]");
    return 2;
}
return command == "events"
    ? await EventAppendBench.RunAsync(pg, int.Parse(Arg("sites", "200")), int.Parse(Arg("commands", "20")))
    : await RollupBench.RunAsync(pg, int.Parse(Arg("devices", "2000")), int.Parse(Arg("seconds", "120")));
