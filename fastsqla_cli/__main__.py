"""Allow ``python -m fastsqla_cli``."""

from fastsqla_cli.cli import main

main()
