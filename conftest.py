"""What lets the suite run on several pytest-xdist workers at once.

bin/run-tests runs ``pytest -n 2 --dist loadgroup``.  Three things make
that safe:

- Each worker gets a database of its own: with PostgreSQL (or a SQLite
  file) DB_NAME gets the suffix ``_<worker>`` (gw0, gw1, ...) here, before
  trytond's test framework reads it when it is first imported.  A SQLite
  ``:memory:`` database is private to each process already.
- The database cache of trytond's test framework (DB_CACHE: SQLite files,
  or PostgreSQL template databases ``test-<hash>``) is shared by name, and
  trytond checks and fills it without any lock: two workers would build the
  same cache at once, or one would read a copy the other is still writing.
  Its restore_db_cache and backup_db_cache are wrapped with a file lock per
  cache entry: a worker that misses the cache keeps the lock until it has
  filled it, and the other worker waits for it, then restores the copy.
- The entry of a set of modules is one, whatever their order: trytond
  names it ``a-b-c`` in the order activate_module was given them, sorted
  for the scenarios' activate_modules; the same database would be built
  twice (minutes each).  The wrapper sorts the names of the modules.
- The bare database (trytond's ``ir`` and ``res``, created by create_db
  before any module is activated) is an entry of its own: each set of
  modules starts from a copy of it instead of creating it again.
- The tests of one file run on one worker (its module fixtures and
  setUpClass run once), and the tests that use the session fixture
  ``demo_server`` (tests/conftest.py) run on one worker, so the demo
  database is built once per run.  They are sent first: the longest unit.

Without xdist (no ``-n``) none of this changes anything but the locks.
"""
import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pytest

_WORKER = os.environ.get('PYTEST_XDIST_WORKER')
if _WORKER:
    assert 'trytond.tests.test_tryton' not in sys.modules, (
        "trytond's test framework was imported before conftest.py could "
        "give DB_NAME the worker's suffix")
    _db_name = os.environ.get('DB_NAME')
    if not _db_name:
        if not os.environ.get(
                'TRYTOND_DATABASE_URI', 'sqlite://').startswith('sqlite'):
            # As trytond does, but two workers start in the same second
            os.environ['DB_NAME'] = f'test_{int(time.time())}_{_WORKER}'
    elif _db_name != ':memory:':
        os.environ['DB_NAME'] = f'{_db_name}_{_WORKER}'

# The group of the tests that need the demo database (see the docstring)
DEMO_GROUP = 'demo_server'


def _lock_folder():
    folder = Path(tempfile.gettempdir()) / 'trytond-test-cache-locks'
    folder.mkdir(exist_ok=True)
    return folder


class _CacheLocks:
    "File locks around the cache entries of trytond's test framework"

    def __init__(self, test_tryton):
        self.test_tryton = test_tryton
        self.restore = test_tryton.restore_db_cache
        self.backup = test_tryton.backup_db_cache
        self.create = test_tryton.create_db
        self.held = {}

    def _open(self, name):
        from trytond import backend, config
        # Same cluster (or SQLite), same DB_CACHE, same entry: same lock
        key = '\0'.join([
                backend.name, config.get('database', 'uri', default=''),
                self.test_tryton.DB_CACHE, name])
        path = _lock_folder() / (
            hashlib.sha256(key.encode()).hexdigest()[:32] + '.lock')
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o666)

    @contextlib.contextmanager
    def _locked(self, name, operation):
        fd = self._open(name)
        try:
            fcntl.flock(fd, operation)
            yield fd
        finally:
            os.close(fd)  # releases the lock

    @staticmethod
    def _forget_databases():
        # trytond keeps the list of the databases of the cluster for
        # minutes: it would not see the template another worker created.
        from trytond import backend
        for cache in ['_list_cache', '_list_cache_timestamp']:
            getattr(backend.Database, cache, {}).clear()

    @staticmethod
    def entry(name):
        "The cache entry of name: its modules sorted, then its suffix"
        modules, *suffix = name.split('--', 1)
        return '--'.join(['-'.join(sorted(modules.split('-'))), *suffix])

    def restore_db_cache(self, name):
        name = self.entry(name)
        if not self.test_tryton.DB_CACHE:
            return self.restore(name)
        # Several workers may restore the same entry at once
        with self._locked(name, fcntl.LOCK_SH):
            self._forget_databases()
            if self.restore(name):
                return True
        # Missed: build it, unless another worker did meanwhile
        fd = self._open(name)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._forget_databases()
            if self.restore(name):
                os.close(fd)
                return True
        except BaseException:
            os.close(fd)
            raise
        # The caller builds the database then calls backup_db_cache(name)
        self.release(name)
        self.held[name] = fd
        return False

    def backup_db_cache(self, name):
        name = self.entry(name)
        if not self.test_tryton.DB_CACHE:
            return self.backup(name)
        fd = self.held.pop(name, None)
        try:
            if fd is None:
                with self._locked(name, fcntl.LOCK_EX):
                    self._forget_databases()
                    return self.backup(name)
            self._forget_databases()
            return self.backup(name)
        finally:
            if fd is not None:
                os.close(fd)

    def create_db(self, name=None, lang='en'):
        "trytond's create_db, from the cache entry of the bare database"
        test_tryton = self.test_tryton
        name = name or test_tryton.DB_NAME
        if (name != test_tryton.DB_NAME or not test_tryton.DB_CACHE
                or test_tryton.db_exist(name)):
            return self.create(name, lang)
        entry = f'--bare--{lang}'
        if self.restore_db_cache(entry):
            return
        try:
            self.create(name, lang)
        except BaseException:
            self.release(entry)
            raise
        self.backup_db_cache(entry)

    def release(self, name=None):
        "Release the lock of a build that failed before its backup"
        names = list(self.held) if name is None else [name]
        for name in names:
            fd = self.held.pop(name, None)
            if fd is not None:
                os.close(fd)


_cache_locks = None


def _install_cache_locks():
    global _cache_locks
    if _cache_locks is not None or not os.environ.get('DB_CACHE'):
        return
    try:
        from trytond.tests import test_tryton, tools
    except ImportError:
        return
    _cache_locks = _CacheLocks(test_tryton)
    # tools imported both functions by name
    for module in [test_tryton, tools]:
        module.restore_db_cache = _cache_locks.restore_db_cache
        module.backup_db_cache = _cache_locks.backup_db_cache
    test_tryton.create_db = _cache_locks.create_db


def pytest_configure(config):
    _install_cache_locks()


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    if _cache_locks is not None:
        _cache_locks.release()


# --dist loadgroup.  xdist 3.8 would group the tests marked xdist_group by
# renaming them, which pytest 9.2 no longer lets it do: each worker writes
# the group of each of its tests to a file that the scheduler of the
# controller reads once all the workers have collected.

def _groups_file(config):
    workerinput = getattr(config, 'workerinput', None)
    if workerinput is not None:
        return workerinput.get('bts_groups_file')
    return getattr(config, '_bts_groups_file', None)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    "Tell the worker where to write the groups of its tests"
    config = node.config
    if getattr(config, '_bts_groups_file', None) is None:
        folder = tempfile.mkdtemp(prefix='bts-xdist-')
        config._bts_groups_file = os.path.join(folder, 'groups.json')
        config.add_cleanup(
            lambda: shutil.rmtree(folder, ignore_errors=True))
    node.workerinput['bts_groups_file'] = config._bts_groups_file


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue('dist') != 'loadgroup':
        return None
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        "One work unit per group; the units in the order of collection"

        def __init__(self, config, log=None):
            super().__init__(config, log)
            # The demo group comes first: the longest unit
            config.option.loadscopereorder = False
            self._groups = None

        def _split_scope(self, nodeid):
            if self._groups is None:
                with open(_groups_file(config)) as file:
                    self._groups = json.load(file)
            return self._groups.get(nodeid) or nodeid.split('::', 1)[0]

    return GroupScheduling(config, log)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    "Group the tests for --dist loadgroup, the demo group first"
    path = _groups_file(config)
    if not path or getattr(config, 'workerinput', None) is None:
        return
    demo, others, groups = [], [], {}
    for item in items:
        if 'demo_server' in getattr(item, 'fixturenames', ()):
            groups[item.nodeid] = DEMO_GROUP
            demo.append(item)
        else:
            groups[item.nodeid] = item.nodeid.split('::', 1)[0]
            others.append(item)
    items[:] = demo + others
    # Every worker collects the same tests: the last writer wins
    temporary = f"{path}.{config.workerinput['workerid']}"
    with open(temporary, 'w') as file:
        json.dump(groups, file)
    os.replace(temporary, path)
