import mutuelle.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    """The stored text keeps its columns (body_text, body_html) under new field names:
    ``body_text`` / ``body_html`` are now properties revealing the encrypted secrets."""

    dependencies = [
        ("mutuelle", "0004_disabled_child"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField("outboxmessage", "body_text", "text_stored"),
                migrations.RenameField("outboxmessage", "body_html", "html_stored"),
                migrations.AlterField(
                    model_name="outboxmessage",
                    name="text_stored",
                    field=models.TextField(db_column="body_text", verbose_name="texte (secrets masqués)"),
                ),
                migrations.AlterField(
                    model_name="outboxmessage",
                    name="html_stored",
                    field=models.TextField(
                        blank=True, db_column="body_html", verbose_name="HTML (secrets masqués)"
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="secrets",
            field=mutuelle.fields.EncryptedCharField(
                blank=True, default="", verbose_name="parties secrètes (chiffrées)"
            ),
        ),
    ]
