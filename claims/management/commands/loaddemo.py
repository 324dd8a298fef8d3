from django.core.management.base import BaseCommand

from claims.demo import load_demo


class Command(BaseCommand):
    help = (
        "Load the Kirkuk demo story and demo users. Existing users are never changed; running it again changes nothing."
    )

    def handle(self, *args, **options):
        claim, users, created = load_demo()
        if created:
            self.stdout.write(self.style.SUCCESS(f"Loaded the demo claim: {claim.text}"))
        else:
            self.stdout.write(f"The demo claim is already loaded: {claim.text}")
        self.stdout.write(f"Claim page: /claims/{claim.pk}/")
        self.stdout.write("Demo users (passwords are derived from this installation's SECRET_KEY):")
        for user in users:
            if user.has_demo_password:
                self.stdout.write(f"  {user.username:<12} role {user.role:<10} password {user.password}")
            else:
                self.stdout.write(f"  {user.username:<12} already existed: left unchanged (its own password)")
