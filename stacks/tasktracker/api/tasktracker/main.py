"""The REST API, the front end and the metrics, as one ASGI application."""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI, HTTPException, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, Counter, generate_latest
from pydantic import BaseModel, Field

from .store import MemoryStore, PostgresStore, Store

TASKS_CHANGED = Counter("tasktracker_task_changes", "Tasks created, updated and deleted", ["change"])


class NewTask(BaseModel):
    title: str = Field(min_length=1, max_length=200)


class TaskChange(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    done: bool | None = None


def create_app(store: Store) -> FastAPI:
    app = FastAPI(title="TaskTracker")

    @app.get("/healthz")
    def health(response: Response) -> dict[str, str]:
        if not store.ready():
            response.status_code = 503
            return {"status": "database unreachable"}
        return {"status": "ok"}

    @app.get("/api/tasks")
    def list_tasks() -> list[dict]:
        return [task.__dict__ for task in store.list()]

    @app.post("/api/tasks", status_code=201)
    def add_task(task: NewTask) -> dict:
        TASKS_CHANGED.labels("created").inc()
        return store.add(task.title).__dict__

    @app.patch("/api/tasks/{task_id}")
    def change_task(task_id: int, change: TaskChange) -> dict:
        task = store.update(task_id, change.title, change.done)
        if task is None:
            raise HTTPException(status_code=404, detail="no such task")
        TASKS_CHANGED.labels("updated").inc()
        return task.__dict__

    @app.delete("/api/tasks/{task_id}", status_code=204)
    def delete_task(task_id: int) -> Response:
        if not store.delete(task_id):
            raise HTTPException(status_code=404, detail="no such task")
        TASKS_CHANGED.labels("deleted").inc()
        return Response(status_code=204)

    @app.get("/metrics")
    def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    app.mount("/", StaticFiles(directory=Path(__file__).parent / "static", html=True), name="front-end")
    return app


def _store() -> Store:
    return PostgresStore() if os.environ.get("DATABASE_URL") else MemoryStore()


app = create_app(_store())
