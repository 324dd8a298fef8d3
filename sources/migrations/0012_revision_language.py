from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('sources', '0011_document_availability'),
    ]

    operations = [
        migrations.AddField(
            model_name='documentrevision',
            name='language',
            field=models.CharField(blank=True, max_length=16),
        ),
    ]
