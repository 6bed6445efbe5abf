from django.db import transaction

from jinguo.core.management.base import JinguoCommand


class Command(JinguoCommand):
    help = "按活动台账重新计算月度汇总表（统计与工作总结读取的汇总数据）。批量写入活动后运行；可随时重复运行。"

    def handle(self, **options):
        from jinguo.ledger.stats import rebuild_cells

        with transaction.atomic():
            rows = rebuild_cells()
        self.stdout.write(self.style.SUCCESS(f"月度汇总已重建：{rows:,} 行。"))
