"""The deployments a project may have beyond its Dockerfile and docker-compose.yml: what
`fastsqla new --deploy` and `fastsqla update --deploy` take. The template says the same in
`copier.yml` (the `deploy` question's choices); tests/test_kubernetes.py holds the two
together."""

from fastsqla_cli.errors import UsageError

# The default first.
DEPLOYS = ("none", "kubernetes")


def validate_deploy(deploy: str, database: str, remedy: str) -> str:
    """A deployment a project of ``database`` can have: Kubernetes runs several pods, which
    cannot share one SQLite file (``remedy`` says what to do instead)."""
    if deploy not in DEPLOYS:
        raise UsageError(f"unknown deployment {deploy!r}: choose one of {', '.join(DEPLOYS)}")
    if deploy == "kubernetes" and database == "sqlite":
        raise UsageError(
            f"--deploy kubernetes runs several pods, which cannot share one SQLite file: {remedy}"
        )
    return deploy
