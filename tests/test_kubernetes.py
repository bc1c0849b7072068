"""`fastsqla new --deploy kubernetes`: manifests that the Kubernetes API's own schemas accept
(validated offline by kubernetes-validate, strict: no unknown field), and that fit the
project they ship with: the probes ask the app's health routes, the settings are the app's,
the objects refer to one another by the names they have."""

from __future__ import annotations

import re
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from fastsqla_cli.deploys import DEPLOYS
from fastsqla_cli.new import create_project
from fastsqla_cli.templates import templates_dir

KUBERNETES = "1.30.0"  # the oldest minor release still maintained when this was written
DNS_1123 = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")


@pytest.fixture(scope="module", params=["postgresql", "mysql"])
def manifests(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("kubernetes") / "My_Shop.api"
    create_project(root, database=request.param, deploy="kubernetes")
    objects = {}
    for path in sorted((root / "kubernetes").glob("*.yaml")):
        (document,) = yaml.safe_load_all(path.read_text())
        objects[path.name] = document
    objects["_root"] = root
    return objects


def test_every_manifest_is_valid_for_the_kubernetes_api(manifests: dict) -> None:
    for name, document in manifests.items():
        if name in ("_root", "kustomization.yaml"):
            continue
        kubernetes_validate.validate(document, KUBERNETES, strict=True)
        assert DNS_1123.fullmatch(document["metadata"]["name"]), name
        assert len(document["metadata"]["name"]) <= 63


def test_the_kustomization_applies_all_but_the_migration_job(manifests: dict) -> None:
    listed = set(manifests["kustomization.yaml"]["resources"])
    present = {name for name in manifests if name.endswith(".yaml")}
    assert listed == present - {"kustomization.yaml", "migrate-job.yaml"}


def test_the_deployment_probes_the_health_routes_with_the_settings_it_is_given(
    manifests: dict,
) -> None:
    deployment = manifests["deployment.yaml"]
    pod = deployment["spec"]["template"]
    (container,) = pod["spec"]["containers"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/health"
    assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
    (port,) = container["ports"]
    dockerfile = (manifests["_root"] / "Dockerfile").read_text()
    assert f"EXPOSE {port['containerPort']}" in dockerfile
    assert f"USER {pod['spec']['securityContext']['runAsUser']}:" in dockerfile
    # The pods and the Service, the autoscaler, the Job: one set of names.
    labels = pod["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"] == labels
    assert manifests["service.yaml"]["spec"]["selector"] == labels
    assert manifests["service.yaml"]["spec"]["ports"][0]["targetPort"] == port["name"]
    target = manifests["hpa.yaml"]["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", deployment["metadata"]["name"])
    sources = {
        manifests["configmap.yaml"]["metadata"]["name"],
        manifests["secret.yaml"]["metadata"]["name"],
    }
    job = manifests["migrate-job.yaml"]["spec"]["template"]["spec"]
    (migrate,) = job["containers"]
    for envs in (container["envFrom"], migrate["envFrom"]):
        assert {next(iter(source.values()))["name"] for source in envs} == sources
    assert migrate["command"] == ["alembic", "upgrade", "head"]
    assert migrate["image"] == container["image"] and job["restartPolicy"] == "Never"
    # SIGTERM lets requests in flight finish: the grace period outlasts the longest one.
    settings = manifests["configmap.yaml"]["data"]
    longest = float(settings["DATABASE_QUEUE_TIMEOUT"]) + float(
        settings["DATABASE_STATEMENT_TIMEOUT"]
    )
    assert pod["spec"]["terminationGracePeriodSeconds"] > longest


def test_the_settings_are_the_apps(manifests: dict) -> None:
    root: Path = manifests["_root"]
    source = (root / "my_shop_api" / "settings.py").read_text()
    fields = {name.upper() for name in re.findall(r"^    (\w+): ", source, re.MULTILINE)}
    given = set(manifests["configmap.yaml"]["data"]) | set(manifests["secret.yaml"]["stringData"])
    assert given - {"WEB_CONCURRENCY"} <= fields, given - fields
    assert "DATABASE_URL" in manifests["secret.yaml"]["stringData"]
    assert manifests["configmap.yaml"]["data"]["DATABASE_MIGRATE_ON_STARTUP"] == "false"


def test_without_the_option_there_are_no_manifests(tmp_path: Path) -> None:
    root = create_project(tmp_path / "shop", database="postgresql").root
    assert not (root / "kubernetes").exists()
    assert "deploy: none" in (root / ".copier-answers.yml").read_text()


def test_the_cli_offers_the_deployments_the_template_has() -> None:
    copier = yaml.safe_load((templates_dir() / "project" / "copier.yml").read_text())
    question = copier["deploy"]
    assert tuple(question["choices"]) == DEPLOYS and question["default"] == DEPLOYS[0]
