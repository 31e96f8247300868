"""The production files name real things: no Docker engine here, so read them and check.

docker-compose.yml's commands must start modules, Celery apps and management commands that
exist; the variables it passes and those in .env.example must be ones settings read, and
settings must read none that .env.example does not document.
"""

import importlib
import json
import re
import shlex
from pathlib import Path

import pytest
import yaml
from celery.app.utils import find_app
from django.conf import settings
from django.core.management import get_commands

import portail

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text()
SERVICES = yaml.safe_load(COMPOSE_TEXT)["services"]
# The services that run the portal's image; the others are postgres, redis and mailpit.
APP_SERVICES = sorted(name for name, service in SERVICES.items() if "build" in service)


def settings_variables() -> set[str]:
    """Names passed to env(...) or env.<type>(...) in portail/settings.py."""
    source = (ROOT / "portail" / "settings.py").read_text()
    return set(re.findall(r"\benv(?:\.\w+)?\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']", source))


def env_example() -> dict[str, str]:
    """NAME => example value, for each `NAME=` or `# NAME=` line of .env.example."""
    text = (ROOT / ".env.example").read_text()
    return dict(re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=(.*)$", text, flags=re.MULTILINE))


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    lines = [
        line
        for line in (ROOT / "Dockerfile").read_text().splitlines()
        if not line.lstrip().startswith("#")
    ]
    joined = "\n".join(lines).replace("\\\n", " ")
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in joined.splitlines()
        if line.strip()
    ]


def dockerfile_cmd() -> list[str]:
    return json.loads([args for name, args in dockerfile_instructions() if name == "CMD"][-1])


def service_command(name: str) -> list[str]:
    command = SERVICES[name].get("command")
    if command is None:
        return dockerfile_cmd()
    return shlex.split(command) if isinstance(command, str) else command


def option(argv: list[str], *flags: str) -> str:
    for index, arg in enumerate(argv):
        if arg in flags:
            return argv[index + 1]
    raise AssertionError(f"none of {flags} in {argv}")


def routed_queues() -> set[str]:
    """The queues the portal's tasks are sent to, as Celery's router decides."""
    app = portail.celery_app
    app.loader.import_default_modules()
    return {
        app.amqp.router.route(dict(task._get_exec_options()), name)["queue"].name
        for name, task in app.tasks.items()
        if not name.startswith("celery.")
    }


# The services that run a Celery worker: worker (emails) and pdf (report cards).
WORKER_SERVICES = sorted(
    name for name in APP_SERVICES
    if Path(service_command(name)[0]).name == "celery" and service_command(name)[3] == "worker")


def worker_queues() -> set[str]:
    """The queues that the workers of docker-compose.yml consume, all together."""
    return {
        queue
        for name in WORKER_SERVICES
        for queue in option(service_command(name), "-Q", "--queues").split(",")
    }


def test_settings_parser_finds_the_core_variables():
    # Guards the tests below against a parser that finds nothing.
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_URL"} <= (
        settings_variables()
    )


def test_app_services_run_the_one_image_with_the_env_file():
    assert set(APP_SERVICES) == {"migrate", "web", "worker", "pdf", "beat"}
    for name in APP_SERVICES:
        service = SERVICES[name]
        assert service["build"] == ".", name
        assert service["image"] == SERVICES["web"]["image"], name
        assert service["env_file"] == ".env", name


@pytest.mark.parametrize("name", APP_SERVICES)
def test_service_command_starts_something_real(name):
    argv = service_command(name)
    program = Path(argv[0]).name
    if program == "gunicorn":
        module_name, attribute = next(a for a in argv[1:] if not a.startswith("-")).split(":")
        assert callable(getattr(importlib.import_module(module_name), attribute))
    elif program == "celery":
        assert find_app(option(argv, "-A", "--app")) is portail.celery_app
        assert argv[3] in {"worker", "beat"}
    elif program.startswith("python"):
        assert argv[1] == "manage.py"
        assert (ROOT / "manage.py").is_file()
        assert argv[2] in get_commands()
    else:
        pytest.fail(f"{name} runs {argv[0]}, which this test does not know")


def test_migrations_run_before_the_portal_starts():
    assert service_command("migrate")[1:3] == ["manage.py", "migrate"]
    for name in ("web", "worker", "pdf", "beat"):
        condition = SERVICES[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully", name


def test_worker_consumes_every_queue_tasks_are_sent_to():
    # A task routed to a queue that no worker reads would wait for ever.
    assert routed_queues() <= worker_queues()


def test_report_cards_render_on_the_pdf_worker_alone():
    # Rendering is CPU-bound: on its own worker, one at a time, so emails never wait.
    argv = service_command("pdf")
    assert set(option(argv, "-Q", "--queues").split(",")) == {"pdf"}
    assert option(argv, "-c", "--concurrency") == "1"
    assert "pdf" not in option(service_command("worker"), "-Q", "--queues").split(",")


def test_worker_queues_all_receive_tasks():
    # A queue that nothing is routed to is a typo in the command or a missing route.
    assert worker_queues() <= routed_queues() | {portail.celery_app.conf.task_default_queue}


def test_compose_passes_only_variables_that_settings_read():
    for name in APP_SERVICES:
        passed = set(SERVICES[name].get("environment", {}))
        assert passed, name
        assert passed <= settings_variables(), name


def test_env_example_documents_every_variable_and_no_other():
    documented = set(env_example())
    compose_only = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", COMPOSE_TEXT))
    assert settings_variables() <= documented
    assert compose_only <= documented
    assert documented <= settings_variables() | compose_only


def test_env_example_holds_no_secret():
    examples = env_example()
    assert examples["SECRET_KEY"] == ""
    assert examples["POSTGRES_PASSWORD"] == ""


def test_dockerfile_serves_the_settings_wsgi_application_as_a_user():
    argv = dockerfile_cmd()
    assert Path(argv[0]).name == "gunicorn"
    target = next(a for a in argv[1:] if not a.startswith("-"))
    assert target.replace(":", ".") == settings.WSGI_APPLICATION
    users = [args.strip() for name, args in dockerfile_instructions() if name == "USER"]
    assert users
    assert users[-1].split(":")[0] not in {"root", "0"}


def test_dockerfile_bakes_no_secret_and_turns_debug_off():
    env = " ".join(args for name, args in dockerfile_instructions() if name == "ENV")
    assert "SECRET_KEY" not in env
    assert re.search(r"\bDEBUG=False\b", env)


def test_image_healthcheck_asks_readyz_where_gunicorn_listens():
    checks = [args for name, args in dockerfile_instructions() if name == "HEALTHCHECK"]
    assert len(checks) == 1
    url = re.search(r"http://127\.0\.0\.1:(\d+)(/\w+)", checks[0])
    assert url.group(2) == "/readyz"
    assert option(dockerfile_cmd(), "--bind", "-b").endswith(f":{url.group(1)}")
    # Answered before the host check and the HTTPS redirect, which would turn it away.
    assert settings.MIDDLEWARE[0] == "portail.health.HealthCheckMiddleware"


def node_name(name: str) -> str:
    """The worker's node name as Celery's -n gets it (its default: celery@%h)."""
    argv = service_command(name)
    return option(argv, "-n", "--hostname") if {"-n", "--hostname"} & set(argv) else "celery@%h"


def test_workers_have_node_names_of_their_own():
    # With the smoke test's host networking every container has the host's name: %h alone
    # would give two workers one node name, and one's ping could answer for the other.
    names = [node_name(name) for name in WORKER_SERVICES]
    assert len(WORKER_SERVICES) >= 2
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("name", WORKER_SERVICES)
def test_worker_healthcheck_pings_that_worker(name):
    kind, command = SERVICES[name]["healthcheck"]["test"]
    argv = shlex.split(command)
    assert kind == "CMD-SHELL"
    assert find_app(option(argv, "-A", "--app")) is portail.celery_app
    assert argv[3:5] == ["inspect", "ping"]
    # $$ is compose's escape: the container's shell expands $HOSTNAME, Celery's %h.
    assert option(argv, "-d", "--destination") == node_name(name).replace("%h", "$$HOSTNAME")


def test_only_web_has_the_image_healthcheck():
    # The others have no web on their 127.0.0.1:8000: theirs would never pass.
    assert "healthcheck" not in SERVICES["web"]
    for name in set(APP_SERVICES) - {"web"}:
        healthcheck = SERVICES[name]["healthcheck"]
        assert healthcheck.get("disable") is True or "test" in healthcheck, name
