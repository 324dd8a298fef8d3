from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from partners import services
from partners.models import PartnerAPIKey


class Command(BaseCommand):
    help = "Create an API key for a partner (created if new). The key is printed once, as the last line."

    def add_arguments(self, parser):
        parser.add_argument("--partner", required=True, help="The partner organisation's name")
        parser.add_argument("--scope", required=True, choices=PartnerAPIKey.Scope.values)
        parser.add_argument("--name", default="", help="A label for the key (default: partner and scope)")

    def handle(self, *args, partner, scope, name, **options):
        try:
            organisation, _created = services.get_or_create_partner(name=partner)
            api_key, key = services.create_api_key(partner=organisation, scope=scope, name=name)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            f"Created a {scope} key “{api_key.name}” for {organisation.name}. It is stored hashed and will not be "
            "shown again: copy it now. Send it as `Authorization: Api-Key <key>`."
        )
        self.stdout.write(key)
