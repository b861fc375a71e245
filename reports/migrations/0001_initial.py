

from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='AgeBracket',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('label', models.CharField(max_length=60, verbose_name='label')),
                ('age_min', models.PositiveSmallIntegerField(verbose_name='from (years)')),
                ('age_max', models.PositiveSmallIntegerField(blank=True, help_text='Empty means no limit.', null=True, verbose_name='to (years, inclusive)')),
            ],
            options={
                'verbose_name': 'age bracket',
                'verbose_name_plural': 'age brackets',
                'ordering': ['age_min'],
                'constraints': [models.UniqueConstraint(fields=('age_min',), name='age_bracket_unique_start'), models.CheckConstraint(condition=models.Q(('age_max__isnull', True), ('age_max__gte', models.F('age_min')), _connector='OR'), name='age_bracket_max_not_below_min')],
            },
        ),
        migrations.CreateModel(
            name='ReportRow',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('section', models.CharField(choices=[('ensembles', 'artistic ensembles'), ('clubs', 'interest clubs and sections'), ('courses', 'courses')], max_length=12, verbose_name='table')),
                ('label', models.CharField(max_length=120, verbose_name='row of the form')),
                ('position', models.PositiveSmallIntegerField(default=0, verbose_name='order')),
                ('categories', models.JSONField(blank=True, default=list, help_text='Activities of these categories are counted in this row.', verbose_name='activity categories')),
            ],
            options={
                'verbose_name': 'row of the statistics form',
                'verbose_name_plural': 'rows of the statistics form',
                'ordering': ['section', 'position', 'pk'],
                'constraints': [models.UniqueConstraint(fields=('section', 'label'), name='report_row_unique_label')],
            },
        ),
    ]
