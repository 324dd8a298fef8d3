from django.core.management.base import BaseCommand, CommandError

from partners import services
from partners.models import PartnerAPIKey


class Command(BaseCommand):
    help = "Revoke an API key for good, by its prefix (the part before the dot)."

    def add_arguments(self, parser):
        parser.add_argument("prefix")

    def handle(self, *args, prefix, **options):
        api_key = PartnerAPIKey.objects.filter(prefix=prefix.split(".")[0]).first()
        if api_key is None:
            raise CommandError("No API key with this prefix.")
        services.revoke_api_key(api_key=api_key)
        self.stdout.write(f"Revoked {api_key.prefix} ({api_key.name}, {api_key.partner.name}).")
