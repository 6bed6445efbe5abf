"""No single-column index where a composite index leads with the column: activities and roll-up cells by org
(activity_org_date_idx, activitycell_org_month_idx), figures by activity (figure_unique_measure) and by measure
(figure_measure_idx). Each index costs every insert of the largest tables. The old indexes are dropped without
rebuilding the tables (core.schema.drop_column_indexes)."""

import django.db.models.deletion
from django.db import migrations, models

from jinguo.core.schema import drop_column_indexes


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0007_fill_activity_cells'),
        ('orgs', '0002_version'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='activity',
                    name='org',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                            related_name='+', to='orgs.orgunit', verbose_name='所属单位'),
                ),
                migrations.AlterField(
                    model_name='activitycell',
                    name='org',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                            related_name='+', to='orgs.orgunit'),
                ),
                migrations.AlterField(
                    model_name='activityfigure',
                    name='activity',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                            related_name='figures', to='ledger.activity', verbose_name='活动'),
                ),
                migrations.AlterField(
                    model_name='activityfigure',
                    name='measure',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                            related_name='+', to='ledger.measure', verbose_name='指标'),
                ),
            ],
            database_operations=[
                drop_column_indexes('ledger_activity', ['org_id']),
                drop_column_indexes('ledger_activitycell', ['org_id']),
                drop_column_indexes('ledger_activityfigure', ['activity_id', 'measure_id']),
            ],
        ),
    ]
