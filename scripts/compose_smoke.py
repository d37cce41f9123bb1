#!/usr/bin/env python3
"""Runs docker-compose.yml's services without Docker: each service's own command, environment and
health check, as resolved by `docker-compose config`, against local PostgreSQL and the host's embedded
Kafka (no broker can run here). Only what Docker would provide is translated: service host names
(postgres, host) become loopback, the kafka service becomes the embedded mock cluster, volumes become a
temporary directory, and the image's ENV and ENTRYPOINT come from its Dockerfile. Exits non-zero, saying
which service failed, when any step does. Usage: scripts/compose-smoke.sh (builds nothing; run after a
Release build)."""
import os, re, shlex, socket, subprocess, sys, tempfile, time, json, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOST_DIR = os.path.join(ROOT, "src/Vpp.Host/bin/Release/net10.0")
SIM_DIR = os.path.join(ROOT, "simulators/Vpp.Simulators/bin/Release/net10.0")
import yaml  # python3-yaml, a dependency of Debian's docker-compose


def fail(service, why):
    print(f"compose smoke: {service}: FAILED: {why}", flush=True)
    sys.exit(1)


def ok(service, what):
    print(f"compose smoke: {service}: ok ({what})", flush=True)


def compose_config():
    out = subprocess.run(["docker-compose", "-f", os.path.join(ROOT, "docker-compose.yml"), "config"],
                         capture_output=True, text=True, env=os.environ)
    if out.returncode != 0:
        fail("compose", out.stderr.strip())
    return yaml.safe_load(out.stdout)


def dockerfile(path):
    """The final stage's ENV and ENTRYPOINT."""
    env, entry = {}, None
    for line in open(os.path.join(ROOT, path)):
        line = line.strip()
        if line.startswith("FROM "):
            env, entry = {}, None
        elif line.startswith("ENV "):
            k, v = line[4:].split("=", 1)
            env[k.strip()] = v.strip()
        elif line.startswith("ENTRYPOINT "):
            entry = json.loads(line[len("ENTRYPOINT "):])
    return env, entry


def free(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def translate(value, pg, port):
    value = str(value)
    value = value.replace("Host=postgres;", f"Host=127.0.0.1;Port={pg['port']};").replace("Database=vpp", f"Database={pg['db']}")
    value = value.replace("http://host:8080", f"http://127.0.0.1:{port}").replace("0.0.0.0:8080", f"0.0.0.0:{port}")
    value = value.replace("/127.0.0.1/8080", f"/127.0.0.1/{port}")
    return value


def healthcheck(service, spec, pg, port, proc=None):
    test = spec["test"]
    cmd = test[1] if test[0] == "CMD-SHELL" else shlex.join(test[1:])
    cmd = translate(cmd, pg, port)
    retries = int(spec.get("retries", 3))
    interval = float(str(spec.get("interval", "5s")).rstrip("s"))
    for _ in range(retries * 3):  # a local start is slower than in a warmed container: three times the retries
        if proc is not None and proc.poll() is not None:
            fail(service, f"exited with {proc.returncode} before its health check passed")
        if subprocess.run(["bash", "-c", cmd], capture_output=True).returncode == 0:
            return cmd
        time.sleep(interval)
    fail(service, f"health check never passed: {cmd}")


def main():
    cfg = compose_config()["services"]
    pg = {"db": "vpp_compose_smoke"}
    subprocess.run(["su", "postgres", "-c", f"dropdb --if-exists {pg['db']}"], check=True, capture_output=True)
    conn = subprocess.run([os.path.join(ROOT, "scripts/postgres.sh")], env={**os.environ, "VPP_PG_DB": pg["db"]},
                          capture_output=True, text=True, check=True).stdout.strip()
    pg["port"] = re.search(r"Port=(\d+)", conn).group(1)
    port = 8080 if free(8080) else 18080 + os.getpid() % 1000
    procs = []
    try:
        # postgres: its own health check against the local server.
        ok("postgres", "health check: " + healthcheck("postgres", cfg["postgres"]["healthcheck"], pg, port))
        print("compose smoke: kafka: skipped (no broker can run here; the host below uses its embedded mock cluster)", flush=True)

        image_env, entry = dockerfile(cfg["migrate"]["build"]["dockerfile"])
        keys = tempfile.mkdtemp(prefix="vpp-compose-keys-")

        def env_of(service):
            env = {k: v for k, v in os.environ.items() if not k.startswith(("Vpp__", "Kafka__", "ConnectionStrings__"))}
            env.update({k: translate(v, pg, port) for k, v in image_env.items()})
            for k, v in (cfg[service].get("environment") or {}).items():
                if k == "Kafka__BootstrapServers" or k == "Kafka__ReplicationFactor":
                    continue  # the kafka service: the embedded mock cluster instead
                env[k] = keys if k == "Vpp__Portal__KeysDirectory" else translate(v, pg, port)
            return env

        def run(service, directory, entrypoint):
            args = [a.replace("Vpp.Host.dll", os.path.join(directory, "Vpp.Host.dll")).replace("vpp-sim.dll", os.path.join(directory, "vpp-sim.dll"))
                    for a in entrypoint] + [translate(a, pg, port) for a in (cfg[service].get("command") or [])]
            return args

        # migrate: runs to completion.
        args = run("migrate", HOST_DIR, entry)
        out = subprocess.run(args, cwd=HOST_DIR, env=env_of("migrate"), capture_output=True, text=True, timeout=300)
        if out.returncode != 0:
            fail("migrate", f"exit {out.returncode}: {out.stdout[-2000:]}{out.stderr[-2000:]}")
        ok("migrate", out.stdout.strip().splitlines()[-1])

        # host: starts on the migrated schema (AutoCreateSchema false) and passes its own health check.
        log = open(os.path.join(tempfile.gettempdir(), "vpp-compose-host.log"), "w")
        host = subprocess.Popen(run("host", HOST_DIR, entry), cwd=HOST_DIR, env=env_of("host"), stdout=log, stderr=subprocess.STDOUT)
        procs.append(host)
        ok("host", "health check: " + healthcheck("host", cfg["host"]["healthcheck"], pg, port, host))

        # simulator: its command against the host; its homes must come online.
        sim_env, sim_entry = dockerfile(cfg["simulator"]["build"]["dockerfile"])
        sim_args = run("simulator", SIM_DIR, sim_entry)
        homes = int(sim_args[sim_args.index("--homes") + 1])
        sim_log = open(os.path.join(tempfile.gettempdir(), "vpp-compose-simulator.log"), "w")
        procs.append(subprocess.Popen(sim_args, cwd=SIM_DIR, env=env_of("simulator"), stdout=sim_log, stderr=subprocess.STDOUT))
        key = os.environ["VPP_API_KEY"]
        online, deadline = -1, time.time() + 180
        while time.time() < deadline:
            try:
                req = urllib.request.Request(f"http://127.0.0.1:{port}/api/fleet", headers={"X-Api-Key": key})
                online = json.load(urllib.request.urlopen(req, timeout=5)).get("sitesOnline", -1)
                if online >= homes:
                    break
            except OSError:
                pass
            if procs[-1].poll() is not None:
                fail("simulator", f"exited with {procs[-1].returncode}; see {sim_log.name}")
            time.sleep(1)
        if online < homes:
            fail("simulator", f"{online} of {homes} homes online after 180 s; see {sim_log.name}")
        ok("simulator", f"{online} of {homes} homes online through the host")
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
    print("compose smoke: passed", flush=True)


if __name__ == "__main__":
    main()
