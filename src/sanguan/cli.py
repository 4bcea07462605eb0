"""The ``sanguan`` console script: a thin wrapper over Django's management commands.

``sanguan similarity ...`` goes straight to the standalone similarity library, which needs
no database and no Django.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "similarity":
        from sanguan.similarity.cli import main as similarity_main

        sys.exit(similarity_main(args[1:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanguan.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["sanguan", *args])


if __name__ == "__main__":
    main()
