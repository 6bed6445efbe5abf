"""`jinguo worker`: django-tasks' database worker, run as a child process that is started again if it dies.

A task can kill the process running it (a native library aborting on a hostile file, the kernel's OOM killer).
The supervising `jinguo worker` then starts a new child, whose first act is `recover_abandoned_tasks()`: the task
that was running is marked failed (its import job says why) instead of being run again, so one poison job cannot
take down every restart, and the other jobs go on. Ctrl+C or SIGTERM stops the child (it finishes cleanly) and
then the supervisor.
"""

import signal
import subprocess
import sys
import time

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from jinguo.core.tasks import recover_abandoned_tasks, worker_id

RESTART_DELAY_MAX = 30.0  # seconds between restarts when the child keeps dying at once
HEALTHY_AFTER = 60.0  # a child that ran this long is healthy again: the next restart waits only a second


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"信号 {signal.Signals(-code).name}"
        except ValueError:
            return f"信号 {-code}"
    return f"退出码 {code}"


def _die_with_parent() -> None:
    """In the child before it starts: Linux sends it SIGTERM when the supervisor dies (even by kill -9), so no
    worker is left running unsupervised."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Command(DbWorkerCommand):
    help = ("运行后台任务（导入、工作总结等）。工作进程意外中止时自动重新启动；重启时把中止时正在处理的任务标记为失败"
            "（不会反复重试导致再次中止），其余任务照常处理。")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--no-supervise", action="store_true",
                            help="在本进程中直接运行任务，不另起子进程、不自动重启（由 systemd 等负责重启时使用）")
        parser.set_defaults(worker_id=worker_id(), reload=False)

    def handle(self, *args, **options):
        argv = sys.argv[1:]
        if not options["no_supervise"] and argv[:1] == ["worker"]:
            return self.supervise([*argv, "--no-supervise"])
        outcome = recover_abandoned_tasks()
        if outcome["requeued"] or outcome["failed"]:
            requeued, failed = len(outcome["requeued"]), len(outcome["failed"])
            self.stderr.write(f"找回中止的任务：重新排队 {requeued} 个，标记失败 {failed} 个")
        return super().handle(*args, **options)

    def supervise(self, argv: list[str]) -> None:
        """Run `jinguo worker --no-supervise` as a child and start it again whenever it dies."""
        state: dict = {"stopping": False, "child": None}

        def stop(signum, _frame):
            state["stopping"] = True
            child = state["child"]
            if child is not None and child.poll() is None:
                child.send_signal(signum)  # once: the child is in its own process group, Ctrl+C reaches only us

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        delay = 0.5  # doubled before the first wait: 1 s
        try:
            while not state["stopping"]:
                started = time.monotonic()
                # Its own process group: a terminal's Ctrl+C is forwarded by `stop` exactly once.
                command = [sys.executable, "-m", "jinguo.manage", *argv]
                child = subprocess.Popen(command, process_group=0, preexec_fn=_die_with_parent)  # noqa: S603 — our argv
                state["child"] = child
                code = child.wait()
                if state["stopping"] or code == 0:
                    return
                delay = 1.0 if time.monotonic() - started > HEALTHY_AFTER else min(delay * 2, RESTART_DELAY_MAX)
                self.stderr.write(f"后台任务进程意外退出（{describe_exit(code)}），{delay:.0f} 秒后重新启动；"
                                  "中止时正在处理的任务将标记为失败。")
                deadline = time.monotonic() + delay
                while not state["stopping"] and time.monotonic() < deadline:
                    time.sleep(0.1)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
