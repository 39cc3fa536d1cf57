"""``manage.py rotate_field_keys``: re-encrypt every encrypted column with the newest key.

Rotation: generate a key, put it FIRST in ``FIELD_ENCRYPTION_KEYS`` (keep the old ones
after it), deploy, run this command, then remove the old keys. Values are read with any
listed key and written with the first one. The keyed NIR hash does not depend on these
keys, so duplicate detection is unaffected.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from mutuelle.fields import EncryptedCharField

BATCH_SIZE = 500


def encrypted_models():
    for model in apps.get_models():
        fields = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]
        if fields and not model._meta.proxy:
            yield model, fields


class Command(BaseCommand):
    help = "Rechiffre les champs chiffrés (NIR, IBAN…) avec la clé la plus récente."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args, batch_size: int, **options):
        total = 0
        for model, fields in encrypted_models():
            count = 0
            last_pk = None
            while True:
                queryset = model._base_manager.order_by("pk").only("pk", *fields)
                if last_pk is not None:
                    queryset = queryset.filter(pk__gt=last_pk)
                batch = list(queryset[:batch_size])
                if not batch:
                    break
                with transaction.atomic():
                    # Loaded values are clear text; saving encrypts them with key #1.
                    model._base_manager.bulk_update(batch, fields)
                count += len(batch)
                last_pk = batch[-1].pk
            total += count
            self.stdout.write(
                f"{model._meta.label} : {count} ligne(s) rechiffrée(s) ({', '.join(fields)})"
            )
        self.stdout.write(self.style.SUCCESS(f"Rotation terminée : {total} ligne(s)."))
