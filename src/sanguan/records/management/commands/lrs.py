"""``sanguan lrs create-client --name NAME [--university CODE] [--json]``."""

import json

from django.core.management.base import BaseCommand, CommandError

from sanguan.records import services


class Command(BaseCommand):
    help = "Manage the credentials of platforms that send learning records to /xapi/."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create-client", help="create a client; its secret is shown once")
        create.add_argument("--name", required=True)
        create.add_argument("--university", help="school code (学校代码) of the university the platform serves")
        create.add_argument("--json", action="store_true", help='print {"key": ..., "secret": ...}')

    def handle(self, *args, **options):
        if options["action"] == "create-client":
            university = None
            if options.get("university"):
                from sanguan.institutions.models import University

                university = University.objects.filter(institution_code=options["university"]).first()
                if university is None:
                    raise CommandError(f"no university with school code {options['university']}")
            new = services.lrs_client_create(name=options["name"], university=university)
            if options["json"]:
                self.stdout.write(json.dumps({"key": new.key, "secret": new.secret}))
            else:
                self.stdout.write(f"key:    {new.key}\nsecret: {new.secret}\n(the secret is not shown again)")
