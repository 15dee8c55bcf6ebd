"""Where tasks are kept: PostgreSQL in production, memory in tests."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Protocol


@dataclass
class Task:
    id: int
    title: str
    done: bool


class Store(Protocol):
    def list(self) -> list[Task]: ...
    def add(self, title: str) -> Task: ...
    def update(self, task_id: int, title: str | None, done: bool | None) -> Task | None: ...
    def delete(self, task_id: int) -> bool: ...
    def ready(self) -> bool: ...


class MemoryStore:
    """Tasks in a dict: for tests and local experiments."""

    def __init__(self) -> None:
        self._tasks: dict[int, Task] = {}
        self._next = 1
        self._lock = threading.Lock()

    def list(self) -> list[Task]:
        with self._lock:
            return sorted(self._tasks.values(), key=lambda t: t.id)

    def add(self, title: str) -> Task:
        with self._lock:
            task = Task(self._next, title, False)
            self._tasks[task.id] = task
            self._next += 1
            return task

    def update(self, task_id: int, title: str | None, done: bool | None) -> Task | None:
        with self._lock:
            task = self._tasks.get(task_id)
            if task is None:
                return None
            if title is not None:
                task.title = title
            if done is not None:
                task.done = done
            return task

    def delete(self, task_id: int) -> bool:
        with self._lock:
            return self._tasks.pop(task_id, None) is not None

    def ready(self) -> bool:
        return True


class PostgresStore:
    """Tasks in PostgreSQL. The server's address comes from DATABASE_URL (the stack's reference
    to the database service), the rest from DATABASE_NAME, DATABASE_USER and DATABASE_PASSWORD
    (a Kubernetes Secret)."""

    def __init__(self) -> None:
        import psycopg

        self._psycopg = psycopg
        self._conninfo = os.environ["DATABASE_URL"]
        self._options = {
            "dbname": os.environ.get("DATABASE_NAME", "tasktracker"),
            "user": os.environ.get("DATABASE_USER", "tasktracker"),
            "password": os.environ["DATABASE_PASSWORD"],
            "connect_timeout": 3,
        }
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS tasks ("
                " id bigserial PRIMARY KEY,"
                " title text NOT NULL,"
                " done boolean NOT NULL DEFAULT false)"
            )

    def _connect(self):
        return self._psycopg.connect(self._conninfo, **self._options)

    def list(self) -> list[Task]:
        with self._connect() as db:
            rows = db.execute("SELECT id, title, done FROM tasks ORDER BY id").fetchall()
        return [Task(*row) for row in rows]

    def add(self, title: str) -> Task:
        with self._connect() as db:
            row = db.execute("INSERT INTO tasks (title) VALUES (%s) RETURNING id, title, done", (title,)).fetchone()
        return Task(*row)

    def update(self, task_id: int, title: str | None, done: bool | None) -> Task | None:
        with self._connect() as db:
            row = db.execute(
                "UPDATE tasks SET title = coalesce(%s, title), done = coalesce(%s, done)"
                " WHERE id = %s RETURNING id, title, done",
                (title, done, task_id),
            ).fetchone()
        return Task(*row) if row else None

    def delete(self, task_id: int) -> bool:
        with self._connect() as db:
            return db.execute("DELETE FROM tasks WHERE id = %s", (task_id,)).rowcount == 1

    def ready(self) -> bool:
        try:
            with self._connect() as db:
                db.execute("SELECT 1")
            return True
        except self._psycopg.Error:
            return False
