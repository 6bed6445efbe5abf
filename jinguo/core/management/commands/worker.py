"""`jinguo worker`: django-tasks' database worker, which first re-queues the tasks of workers that died."""

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from jinguo.core.tasks import recover_abandoned_tasks, worker_id


class Command(DbWorkerCommand):
    help = "运行后台任务（导入、工作总结等）；启动时先找回被意外中止的任务：重新排队，多次失败则标记为失败。"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(worker_id=worker_id(), reload=False)

    def handle(self, *args, **options):
        outcome = recover_abandoned_tasks()
        if outcome["requeued"] or outcome["failed"]:
            requeued, failed = len(outcome["requeued"]), len(outcome["failed"])
            self.stderr.write(f"找回中止的任务：重新排队 {requeued} 个，标记失败 {failed} 个")
        return super().handle(*args, **options)
