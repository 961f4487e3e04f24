"""A cron lock that really excludes overlapping runs on one host.

django-cron's FileLock expects `django.core.files.locks.lock` to raise when the
file is already locked, but that function returns False instead, so the stock
backend lets two `runcrons` processes run the same job at once. This one checks
the result (and closes the file when the lock is taken by another process).
"""

from django.core.files import locks
from django_cron.backends.lock.file import FileLock


class ExclusiveFileLock(FileLock):
    def lock(self) -> bool:
        handle = open(self.get_lock_name(), "wb")  # noqa: SIM115 - held open until release()
        if not locks.lock(handle, locks.LOCK_EX | locks.LOCK_NB):
            handle.close()
            return False
        self._handle = handle
        return True

    def release(self) -> None:
        handle, self._handle = self._handle, None
        locks.unlock(handle)
        handle.close()
