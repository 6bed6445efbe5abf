from django.db import transaction

from jinguo.core.management.base import JinguoCommand


class Command(JinguoCommand):
    help = ("按业务记录重新计算统计汇总表（活动台账月度汇总、活动台账工作总结栏目汇总、信访案件月度汇总）。"
            "批量写入后运行；可随时重复运行。")

    def handle(self, **options):
        from jinguo.core.rollups import rollups

        with transaction.atomic():
            for label, rebuild in rollups().items():
                rows = rebuild()
                self.stdout.write(self.style.SUCCESS(f"{label}已重建：{rows:,} 行。"))
