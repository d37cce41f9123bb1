using Vpp.Benchmarks;

// vpp-bench events  --pg <conn> [--sites 200] [--commands 20]
// vpp-bench rollups --pg <conn> [--devices 2000] [--seconds 120]
// vpp-bench kafka   --pg <conn> [--devices 1000] [--messages 200000] [--dispatches 100] [--batch 5000]
// vpp-bench schedule [--sites 1000] [--repetitions 3] [--per-site true|false] [--monolithic true|false] [--rounds 0] [--per-site-solver GLOP|PDLP]
var command = args.FirstOrDefault();
string Arg(string name, string fallback)
{
    var i = Array.IndexOf(args, "--" + name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
if (command == "schedule") return ScheduleBench.Run(int.Parse(Arg("sites", "1000")), int.Parse(Arg("repetitions", "3")), Arg("per-site", "true") == "true",
    Arg("monolithic", "true") == "true", int.Parse(Arg("rounds", "0")), Arg("per-site-solver", "GLOP"));
var pg = Arg("pg", Environment.GetEnvironmentVariable("VPP_BENCH_PG") ?? "");
if (pg.Length == 0 || command is not ("events" or "rollups" or "kafka"))
{
    Console.Error.WriteLine("usage: vpp-bench events|rollups|kafka --pg <PostgreSQL connection string> [options]  |  vpp-bench schedule [--sites N]");
    return 2;
}
return command switch
{
    "events" => await EventAppendBench.RunAsync(pg, int.Parse(Arg("sites", "200")), int.Parse(Arg("commands", "20"))),
    "rollups" => await RollupBench.RunAsync(pg, int.Parse(Arg("devices", "2000")), int.Parse(Arg("seconds", "120"))),
    _ => await KafkaBench.RunAsync(pg, int.Parse(Arg("devices", "1000")), int.Parse(Arg("messages", "200000")), int.Parse(Arg("dispatches", "100")), int.Parse(Arg("batch", "5000"))),
};
