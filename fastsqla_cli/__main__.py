"""The `fastsqla` console script, and ``python -m fastsqla_cli``."""

import sys


def main() -> None:
    # Ctrl-C while the CLI is still being imported or built is one line too, not a traceback.
    try:
        from fastsqla_cli import interrupts

        interrupts.install()
        from fastsqla_cli.cli import app

        app()
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted\n")
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
