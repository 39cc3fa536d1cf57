from django.db import migrations, models


def no_source_without_a_number(apps, schema_editor):
    """Employees declared without a mobile have no « origine du mobile »: only a number
    on record has one (the default said « employer » for everybody)."""
    Employee = apps.get_model("enrolment", "Employee")
    Employee.objects.filter(phone="", phone_source="employer").update(phone_source="")


class Migration(migrations.Migration):
    dependencies = [
        ("enrolment", "0018_phone_source_link_lock"),
    ]

    operations = [
        migrations.AlterField(
            model_name="employee",
            name="phone_source",
            field=models.CharField(
                blank=True,
                choices=[
                    ("employer", "Déclaré par l'employeur à la pré-affiliation"),
                    ("profile", "Saisi à l'étape « Mon profil » et confirmé par code SMS"),
                    ("signature", "Modifié à la signature (mot de passe et code SMS)"),
                    ("member_area", "Modifié dans l'espace adhérent et confirmé par code SMS"),
                ],
                default="employer",
                max_length=20,
                verbose_name="origine du mobile",
            ),
        ),
        migrations.RunPython(no_source_without_a_number, migrations.RunPython.noop),
    ]
