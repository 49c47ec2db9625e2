"""deploy/compose.yaml and deploy/env.example agree (no docker or podman compose here to ask)."""

import re
from pathlib import Path

import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
COMPOSE = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ["setup", "app", "worker"]


def env_example() -> dict[str, str]:
    pairs = {}
    for line in (DEPLOY / "env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            pairs[name] = value
    return pairs


def test_the_stack_has_the_app_the_worker_postgresql_redis_and_nginx():
    assert set(SERVICES) == {"setup", "app", "worker", "postgres", "redis", "nginx"}


def test_every_long_running_service_has_a_health_check_and_restarts():
    for name, service in SERVICES.items():
        if name == "setup":
            assert service["restart"] == "no"
            continue
        assert service["healthcheck"]["test"], name
        assert service["restart"] == "unless-stopped", name


def test_app_services_run_the_one_image_with_its_entrypoint_commands():
    entrypoint = (DEPLOY / "entrypoint.sh").read_text()
    for name in APP_SERVICES:
        service = SERVICES[name]
        assert service["build"]["dockerfile"] == "deploy/Containerfile"
        assert service["image"] == SERVICES["app"]["image"]
        command = service["command"][0]
        assert re.search(rf"^\s*{command}\)", entrypoint, re.M), f"entrypoint.sh has no {command}"


def test_services_start_in_order_of_what_they_need():
    assert SERVICES["setup"]["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    for name in ("app", "worker"):
        assert SERVICES[name]["depends_on"]["setup"]["condition"] == (
            "service_completed_successfully"
        )
    assert SERVICES["nginx"]["depends_on"]["app"]["condition"] == "service_healthy"


def test_every_named_volume_is_declared_and_used():
    used = set()
    for service in SERVICES.values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith("."):
                used.add(source)
    assert used == set(COMPOSE["volumes"])


def test_files_mounted_from_the_repository_exist():
    for service in SERVICES.values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (DEPLOY / source).is_file(), source


def test_redis_persists_with_an_append_only_file_on_a_volume():
    redis = SERVICES["redis"]
    assert redis["command"][redis["command"].index("--appendonly") + 1] == "yes"
    assert any(v.endswith(":/data") for v in redis["volumes"])


def test_nginx_gets_every_variable_the_template_names():
    template = (DEPLOY / "nginx.conf.template").read_text()
    wanted = set(re.findall(r"\$\{(SHORTSCIENCE_[A-Z_]+)\}", template))
    given = set(SERVICES["nginx"]["environment"])
    assert wanted <= given, wanted - given
    assert SERVICES["nginx"]["environment"]["NGINX_ENVSUBST_FILTER"] == "SHORTSCIENCE_"


def test_nginx_serves_static_and_media_from_the_volumes_the_app_writes():
    nginx = SERVICES["nginx"]["environment"]
    app = SERVICES["app"]["environment"]
    assert app["STATIC_ROOT"] == nginx["SHORTSCIENCE_STATIC_ROOT"] == "/srv/static"
    assert app["MEDIA_ROOT"] == "/data/media"
    assert nginx["SHORTSCIENCE_MEDIA_ROOT"] == "/srv/data/media"
    assert "data:/srv/data:ro" in SERVICES["nginx"]["volumes"]


def test_every_variable_compose_interpolates_is_in_env_example():
    text = (DEPLOY / "compose.yaml").read_text()
    interpolated = set(re.findall(r"(?<!\$)\$\{([A-Z_]+)", text))
    assert interpolated <= set(env_example()), interpolated - set(env_example())


def test_env_example_sets_production_settings_and_no_variable_compose_sets_itself():
    example = env_example()
    assert example["DEBUG"] == "0"
    assert example["SECRET_KEY"] == "change-me"
    assert not set(example) & set(SERVICES["app"]["environment"])


def test_env_example_names_only_documented_app_settings():
    configuration = (DEPLOY.parent / "docs" / "configuration.md").read_text()
    compose_or_entrypoint = {
        "POSTGRES_PASSWORD",
        "SHORTSCIENCE_SERVER_NAME",
        "SHORTSCIENCE_LISTEN",
        "SHORTSCIENCE_HTTP_PORT",
        "SHORTSCIENCE_IMAGE",
        "WEB_CONCURRENCY",
        "WEB_THREADS",
    }
    entrypoint = (DEPLOY / "entrypoint.sh").read_text()
    for name in ("WEB_CONCURRENCY", "WEB_THREADS"):
        assert f"${{{name}" in entrypoint
    for name in set(env_example()) - compose_or_entrypoint:
        assert f"`{name}`" in configuration, f"{name} is not in docs/configuration.md"
