"""`manage.py import_org FILE [--dry-run] [--actor USERNAME]`: import the organisation from xlsx or CSV."""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from apps.core.exceptions import ApplicationError
from apps.core.roles import is_hr
from apps.org import importing


class Command(BaseCommand):
    help = ("Import job levels, departments, positions and employees from an xlsx workbook or a CSV file "
            "(the format of the HR import page, docs/ORG-IMPORT.md). Nothing is written unless every row is "
            "valid; importing the same file twice changes nothing. Exits with status 1 when the file has errors.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="an .xlsx workbook or a .csv file")
        parser.add_argument("--dry-run", action="store_true", help="check the file and show what would change")
        parser.add_argument("--actor", help="username the changes are recorded under (must be HR); "
                                            "default: the first active superuser")

    def _actor(self, username):
        User = get_user_model()
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"No active user named {username}.")
            return user
        user = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if user is None:
            raise CommandError("No active superuser to record the changes under: pass --actor USERNAME "
                               "or create one with `manage.py createsuperuser`.")
        return user

    def handle(self, *args, file, dry_run, actor, **options):
        user = self._actor(actor)
        if not is_hr(user):
            raise CommandError(f"{user.username} is not HR: only HR may change the organisation.")
        try:
            preview = importing.parse_and_validate(file)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror or exc}") from exc
        self._counts(preview.counts)
        if not preview.is_valid:
            self._errors(preview.errors)
            raise CommandError(f"{len(preview.errors)} error(s): nothing was imported.")
        if dry_run:
            for row in preview.changed_rows:
                changes = "; ".join(f"{c}: {old} -> {new}" for c, old, new in row.change_list())
                self.stdout.write(f"  {row.action:<7} {row.sheet} row {row.row} {row.key} {changes}")
            self.stdout.write(self.style.SUCCESS("The file is valid (dry run: nothing was written)."))
            return
        try:
            result = importing.org_import_apply(actor=user, preview=preview)
        except importing.ImportInvalid as exc:
            self._errors(exc.preview.errors)
            raise CommandError(f"{len(exc.preview.errors)} error(s): nothing was imported.") from exc
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        t = result.totals
        self.stdout.write(self.style.SUCCESS(
            f"Imported: {t['create']} created, {t['update']} updated, {t['unchanged']} unchanged."))

    def _counts(self, counts):
        for kind, c in counts.items():
            self.stdout.write(f"{kind:<11} create {c['create']:>6}  update {c['update']:>6}  "
                              f"unchanged {c['unchanged']:>6}")

    def _errors(self, errors):
        for e in errors:
            where = f"{e.sheet or 'file'} row {e.row}" if e.row else (e.sheet or "file")
            column = f" [{e.column}]" if e.column else ""
            self.stderr.write(f"{where}{column}: {e.message}")
