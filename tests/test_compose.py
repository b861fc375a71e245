"""The production stack in docker-compose.yml, checked without a Docker engine.

The compose file is parsed as YAML (merge keys resolved, `${...}` left as text) and compared
with what config/settings.py, docker/entrypoint.sh, the Dockerfile and .env.example say.
"""

import copy
import functools
import re
import shlex
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
SETTINGS_FILE = ROOT / "config" / "settings.py"
ENTRYPOINT_FILE = ROOT / "docker" / "entrypoint.sh"
DOCKERFILE = ROOT / "Dockerfile"
ENV_EXAMPLE = ROOT / ".env.example"

APP_SERVICES = ("web", "worker", "beat")
MAIL_CATCHER = "mailpit"
REQUIRED_SERVICES = ("postgres", "redis", *APP_SERVICES, MAIL_CATCHER)
ESSENTIAL_VARIABLES = {
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
}
BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# `os.environ.get("X"`, `os.getenv("X"`, `os.environ["X"]`, `env_bool("X"`, `env_list("X"`.
SETTINGS_READ_RE = re.compile(
    r"""(?:os\.environ\.get|os\.getenv|env_bool|env_list)\(\s*["']([A-Za-z_][A-Za-z0-9_]*)["']"""
    r"""|os\.environ\[\s*["']([A-Za-z_][A-Za-z0-9_]*)["']\s*\]"""
)
# `$NAME` / `${NAME...}` in a shell script.
SHELL_VAR_RE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
# Compose interpolation: `${NAME}`, `${NAME:-default}`, `${NAME:?error}` (`$$` is a literal `$`).
INTERPOLATION_RE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])[^}]*)?\}")


# --- reading the files ----------------------------------------------------------------------


@functools.cache
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def services(config: dict | None = None) -> dict:
    return (config or compose())["services"]


@functools.cache
def settings_variables() -> frozenset[str]:
    text = SETTINGS_FILE.read_text(encoding="utf-8")
    return frozenset(a or b for a, b in SETTINGS_READ_RE.findall(text))


@functools.cache
def entrypoint_variables() -> frozenset[str]:
    lines = ENTRYPOINT_FILE.read_text(encoding="utf-8").splitlines()
    code = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    return frozenset(SHELL_VAR_RE.findall(code))


@functools.cache
def env_example_variables() -> frozenset[str]:
    names = set()
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            names.add(line.split("=", 1)[0].removeprefix("export ").strip())
    return frozenset(names)


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # the `- NAME=value` form
        env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return {name: None if value is None else str(value) for name, value in env.items()}


def command(service: dict) -> list[str]:
    cmd = service.get("command") or []
    return shlex.split(cmd) if isinstance(cmd, str) else [str(arg) for arg in cmd]


def dependencies(service: dict) -> set[str]:
    return set(service.get("depends_on") or [])


def option(args: list[str], *names: str) -> str | None:
    """The value of `--name value` or `--name=value` in args."""
    for i, arg in enumerate(args):
        for name in names:
            if arg == name and i + 1 < len(args):
                return args[i + 1]
            if arg.startswith(name + "="):
                return arg.split("=", 1)[1]
    return None


def celery_subcommand(args: list[str]) -> tuple[str | None, str | None]:
    """(app, subcommand) of a `celery -A app <subcommand> ...` command, else (None, None)."""
    if not args or Path(args[0]).name != "celery":
        return None, None
    app = option(args, "-A", "--app")
    rest = args[1:]
    skip = False
    for arg in rest:
        if skip:
            skip = False
            continue
        if arg in {"-A", "--app", "-b", "--broker", "--workdir", "--config"}:
            skip = True
            continue
        if not arg.startswith("-"):
            return app, arg
    return app, None


def beat_services(config: dict) -> list[str]:
    """Every service that runs a beat scheduler: `celery beat`, or a worker with -B/--beat."""
    found = []
    for name, service in services(config).items():
        args = command(service)
        _, sub = celery_subcommand(args)
        embedded = sub == "worker" and any(
            arg in {"-B", "--beat"} or re.fullmatch(r"-[A-Za-z]*B[A-Za-z]*", arg) for arg in args
        )
        if sub == "beat" or embedded:
            found.append(name)
    return sorted(found)


def replicas(service: dict) -> int:
    return int((service.get("deploy") or {}).get("replicas", 1))


def unknown_variables(config: dict, allowed: frozenset[str]) -> dict[str, set[str]]:
    return {
        name: set(environment(services(config)[name])) - allowed
        for name in APP_SERVICES
        if set(environment(services(config)[name])) - allowed
    }


# --- the stack ------------------------------------------------------------------------------


def test_stack_has_every_service():
    missing = [name for name in REQUIRED_SERVICES if name not in services()]
    assert not missing, f"docker-compose.yml lacks services {missing}"


def test_exactly_one_beat():
    assert beat_services(compose()) == ["beat"], "exactly one service may run celery beat"
    assert replicas(services()["beat"]) == 1, "beat must run as exactly one replica"


def test_a_second_beat_would_be_caught():
    config = copy.deepcopy(compose())
    config["services"]["beat-2"] = copy.deepcopy(config["services"]["beat"])
    config["services"]["worker"]["command"] = [*command(config["services"]["worker"]), "-B"]
    assert beat_services(config) == ["beat", "beat-2", "worker"]


def test_redis_never_evicts_and_persists():
    args = command(services()["redis"])
    assert args and Path(args[0]).name == "redis-server"
    assert option(args, "--maxmemory-policy") == "noeviction", "a broker must not evict tasks"
    assert option(args, "--appendonly") == "yes", "queued tasks must survive a redis restart"
    assert services()["redis"].get("volumes"), "the append-only file needs a volume"


def test_data_services_have_health_checks_and_volumes():
    for name, probe in (("postgres", "pg_isready"), ("redis", "redis-cli")):
        service = services()[name]
        test = service.get("healthcheck", {}).get("test")
        assert test and probe in " ".join(test if isinstance(test, list) else [test]), name
        assert service.get("volumes"), f"{name} keeps its data in a volume"
    assert re.match(r"postgres:1[56]\b", services()["postgres"]["image"])
    assert re.match(r"redis:7\b", services()["redis"]["image"])


def test_app_services_depend_on_postgres_and_redis():
    for name in APP_SERVICES:
        missing = {"postgres", "redis"} - dependencies(services()[name])
        assert not missing, f"{name} does not depend on {missing}"
        depends_on = services()[name]["depends_on"]
        if isinstance(depends_on, dict):
            for backend in ("postgres", "redis"):
                assert depends_on[backend].get("condition") == "service_healthy", (name, backend)


def test_worker_runs_celery_worker_for_config():
    assert celery_subcommand(command(services()["worker"])) == ("config", "worker")


def test_beat_uses_the_database_scheduler():
    args = command(services()["beat"])
    assert celery_subcommand(args) == ("config", "beat")
    assert option(args, "--scheduler", "-S") == BEAT_SCHEDULER


def test_web_runs_gunicorn_on_port_8000():
    args = command(services()["web"]) or ["gunicorn"]  # no command: the image's gunicorn CMD
    assert Path(args[0]).name == "gunicorn"
    assert "config.wsgi" in args or "config.wsgi:application" in args
    assert any(str(port).split(":")[-1] == "8000" for port in services()["web"].get("ports", []))


def test_only_web_runs_migrations():
    assert "migrate --noinput" in ENTRYPOINT_FILE.read_text(encoding="utf-8")
    assert "docker/entrypoint.sh" in DOCKERFILE.read_text(encoding="utf-8")
    assert environment(services()["web"]).get("RUN_MIGRATIONS") == "1"
    for name in ("worker", "beat"):
        assert environment(services()[name]).get("RUN_MIGRATIONS", "0") in {"0", ""}, name


def test_mail_goes_to_the_mail_catcher():
    catcher = services()[MAIL_CATCHER]
    assert catcher["image"].startswith("axllent/mailpit")
    published = [str(port) for port in catcher.get("ports", [])]
    assert any(port.endswith("8025") for port in published), "the mail UI is on 8025"
    for name in APP_SERVICES:
        env = environment(services()[name])
        assert env.get("EMAIL_HOST") == MAIL_CATCHER, name
        assert env.get("EMAIL_PORT") == "1025", name


# --- environment ----------------------------------------------------------------------------


def test_settings_variables_are_found():
    # Guards the regex: an empty set would make the next test pass for nothing.
    assert ESSENTIAL_VARIABLES | {"DJANGO_DEBUG", "DJANGO_SECURE_COOKIES"} <= settings_variables()


def test_app_services_pass_only_variables_that_are_read():
    allowed = settings_variables() | entrypoint_variables()
    assert unknown_variables(compose(), allowed) == {}, (
        "variables no one reads (config/settings.py, docker/entrypoint.sh): a typo or a leftover"
    )


def test_a_misspelt_variable_would_be_caught():
    config = copy.deepcopy(compose())
    config["services"]["worker"]["environment"]["DJANGO_SECRETKEY"] = "x"
    allowed = settings_variables() | entrypoint_variables()
    assert unknown_variables(config, allowed) == {"worker": {"DJANGO_SECRETKEY"}}


def test_app_services_get_the_essential_variables():
    for name in APP_SERVICES:
        env = environment(services()[name])
        missing = {var for var in ESSENTIAL_VARIABLES if not env.get(var)}
        assert not missing, f"{name} lacks {missing}"
        assert env.get("DJANGO_DEBUG") == "0", name


def test_app_services_share_one_environment():
    settings_part = [
        {k: v for k, v in environment(services()[name]).items() if k in settings_variables()}
        for name in APP_SERVICES
    ]
    assert settings_part[0] == settings_part[1] == settings_part[2]


def test_secret_key_comes_from_the_environment():
    for name in APP_SERVICES:
        value = environment(services()[name])["DJANGO_SECRET_KEY"]
        assert re.fullmatch(r"\$\{DJANGO_SECRET_KEY:?\?[^}]*\}", value), (
            f"{name}: DJANGO_SECRET_KEY must be ${{DJANGO_SECRET_KEY:?...}}, not a value in git"
        )


def test_env_example_lists_every_setting_compose_passes():
    passed = set()
    for name in APP_SERVICES:
        passed |= set(environment(services()[name])) & settings_variables()
    missing = passed - env_example_variables()
    assert not missing, f".env.example does not list {sorted(missing)}"


def test_env_example_lists_every_variable_compose_requires():
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    required = {
        name for name, operator in INTERPOLATION_RE.findall(text) if operator in {"", ":?", "?"}
    }
    assert "DJANGO_SECRET_KEY" in required
    missing = required - env_example_variables()
    assert not missing, f"compose needs {sorted(missing)} but .env.example does not list them"


# --- image ----------------------------------------------------------------------------------


def test_image_installs_the_locked_runtime_set_and_runs_unprivileged():
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim", dockerfile, re.MULTILINE)
    assert "--require-hashes" in dockerfile
    assert "requirements/base.txt" in dockerfile
    assert "requirements/dev.txt" not in dockerfile
    assert "collectstatic --noinput" in dockerfile
    users = re.findall(r"^USER\s+(\S+)", dockerfile, re.MULTILINE)
    assert users and users[-1].split(":")[0] not in {"root", "0"}, "the image runs as non-root"
    assert re.search(r'^CMD \["gunicorn", "config\.wsgi"', dockerfile, re.MULTILINE)
