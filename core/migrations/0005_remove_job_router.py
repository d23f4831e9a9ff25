# The router foreign key gives way to the generic target (0003, 0004).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_job_target_data'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='job',
            name='core_job_router__6d1b61_idx',
        ),
        migrations.RemoveField(
            model_name='job',
            name='router',
        ),
        migrations.AddIndex(
            model_name='job',
            index=models.Index(fields=['target_type', 'target_id', '-created'], name='core_job_target__d4efea_idx'),
        ),
    ]
