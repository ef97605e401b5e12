from django.core.management.base import BaseCommand

from apps.org.demo import DEMO_LOGINS, DEMO_PASSWORD, seed_demo_organisation


class Command(BaseCommand):
    help = "Load the demo organisation (idempotent: running it twice duplicates nothing)."

    def handle(self, *args, **options):
        result = seed_demo_organisation()
        self.stdout.write(self.style.SUCCESS(
            f"Demo organisation ready: {result['departments']} departments, {result['employees']} employees."))
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}):")
        for login, role in DEMO_LOGINS:
            self.stdout.write(f"  {login:<10} {role}")
